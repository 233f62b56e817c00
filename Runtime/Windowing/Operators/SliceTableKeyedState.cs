using DataflowCompiler.Checkpointing;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The keyed state of a fused window chain's window: its slice table plus an (empty) binary keyed backend, snapshotted,
/// restored and notified together in the format of the interpreted <see cref="SliceTableWindowOperator{TKey, TIn, TAcc, TOut}"/>
/// (<see cref="SliceTableSnapshots"/>), under the window operator's id. The backend holds what a process window function would
/// keep; fused windows have none, but a checkpoint of the interpreted operator may carry it and it goes back out unchanged.
/// </summary>
internal sealed class SliceTableKeyedState(string operatorName, ISnapshotableKeyedBackend table, ISnapshotableKeyedBackend backend, IDisposable backendOwner)
    : ISnapshotableKeyedBackend, IDisposable
{
    public KeyGroupRange KeyGroupRange => table.KeyGroupRange;

    public IKeyedStateSnapshotWriter Snapshot(long checkpointId, bool incremental) =>
        new SliceTableSnapshots.Composite(table.Snapshot(checkpointId, incremental: false), backend.Snapshot(checkpointId, incremental: false));

    public void NotifyCheckpointComplete(long checkpointId)
    {
        table.NotifyCheckpointComplete(checkpointId);
        backend.NotifyCheckpointComplete(checkpointId);
    }

    public void NotifyCheckpointAborted(long checkpointId)
    {
        table.NotifyCheckpointAborted(checkpointId);
        backend.NotifyCheckpointAborted(checkpointId);
    }

    public void Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains)
    {
        var (tableChains, backendChains) = SliceTableSnapshots.Split(operatorName, chains);
        table.Restore(tableChains);
        backend.Restore(backendChains);
    }

    public void Dispose() => backendOwner.Dispose();
}
