namespace DataflowCompiler.Tasks;

/// <summary>
/// Wakes a task thread when input, mail or source data may be available. The task reads
/// <see cref="Version"/> before looking for work and waits for it to change, so a signal that
/// arrives while the task is looking is never lost. <see cref="Set"/> is cheap when nobody waits.
/// </summary>
internal sealed class TaskSignal
{
    private readonly object _lock = new();
    private int _version;
    private int _waiting;

    public int Version => Volatile.Read(ref _version);

    public void Set()
    {
        Interlocked.Increment(ref _version);
        if (Volatile.Read(ref _waiting) != 0)
        {
            lock (_lock)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Blocks until <see cref="Version"/> differs from <paramref name="observed"/> or the token is cancelled.</summary>
    public void WaitForChange(int observed, CancellationToken cancellation)
    {
        using var registration = cancellation.Register(static s => ((TaskSignal)s!).Set(), this);
        lock (_lock)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                while (Volatile.Read(ref _version) == observed)
                {
                    cancellation.ThrowIfCancellationRequested();
                    Monitor.Wait(_lock);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
        cancellation.ThrowIfCancellationRequested();
    }
}
