using DataflowCompiler.Checkpointing;

namespace DataflowCompiler.State;

/// <summary>The binary backend as the checkpointing of a task sees it.</summary>
public sealed partial class BinaryKeyedStateBackend<TKey> : ISnapshotableKeyedBackend
{
    IKeyedStateSnapshotWriter ISnapshotableKeyedBackend.Snapshot(long checkpointId, bool incremental) => Snapshot(checkpointId, incremental);

    void ISnapshotableKeyedBackend.NotifyCheckpointComplete(long checkpointId) => NotifyCheckpointComplete(checkpointId);

    void ISnapshotableKeyedBackend.NotifyCheckpointAborted(long checkpointId) => NotifyCheckpointAborted(checkpointId);

    void ISnapshotableKeyedBackend.Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains) => Restore(chains);

}
