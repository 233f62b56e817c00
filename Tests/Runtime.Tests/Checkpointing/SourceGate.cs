namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// How far the readers of a <see cref="GatedSource{T}"/> may read: each subtask emits its indices below
/// <see cref="Limit"/> and then waits without blocking its task (checkpoints and savepoints still go through).
/// </summary>
public sealed class SourceGate(long limit)
{
    private readonly object _lock = new();
    private readonly List<Action> _waiting = [];
    private long _limit = limit;
    private long _emitted;

    public long Limit => Volatile.Read(ref _limit);

    /// <summary>Records emitted over all subtasks and attempts.</summary>
    public long Emitted => Interlocked.Read(ref _emitted);

    /// <summary>Lets the readers go on up to <paramref name="limit"/> (long.MaxValue: to the end).</summary>
    public void Open(long limit = long.MaxValue)
    {
        List<Action> wake;
        lock (_lock)
        {
            Volatile.Write(ref _limit, limit);
            wake = [.. _waiting];
            _waiting.Clear();
        }
        wake.ForEach(w => w());
    }

    internal void CountEmitted() => Interlocked.Increment(ref _emitted);

    internal bool TryPass(long position, Action signalAvailable)
    {
        lock (_lock)
        {
            if (position < _limit)
            {
                return true;
            }
            _waiting.Add(signalAvailable);
            return false;
        }
    }
}
