// TEMPORARY until the state-snapshot branch merges: keyed state is not yet captured.
using DataflowCompiler.Checkpointing;

namespace DataflowCompiler.State;

public sealed partial class BinaryKeyedStateBackend<TKey> : ISnapshotableKeyedBackend
{
    IKeyedStateSnapshotWriter ISnapshotableKeyedBackend.Snapshot(long checkpointId, bool incremental) => new Empty();

    void ISnapshotableKeyedBackend.NotifyCheckpointComplete(long checkpointId)
    {
    }

    void ISnapshotableKeyedBackend.NotifyCheckpointAborted(long checkpointId)
    {
    }

    void ISnapshotableKeyedBackend.Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains)
    {
    }

    private sealed class Empty : IKeyedStateSnapshotWriter
    {
        public bool IsIncremental => false;

        public void WriteTo(Stream output)
        {
        }

        public void Release()
        {
        }
    }
}
