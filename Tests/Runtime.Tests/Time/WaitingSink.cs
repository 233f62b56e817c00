using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>A sink whose records are visible at once and that a test can wait on (no sleeps: a monitor pulsed per record).</summary>
internal sealed class WaitingSink<T> : ISink<T>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly List<T> _records = new();

    public string Name => "Waiting";

    public IReadOnlyList<T> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToList();
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the records so far; fails the test after a generous time-out.</summary>
    public IReadOnlyList<T> WaitUntil(Func<IReadOnlyList<T>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Generous;
        lock (_records)
        {
            while (!condition(_records))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Timed out waiting for {what}; records so far: {string.Join(", ", _records)}");
                }
                Monitor.Wait(_records, left);
            }
            return _records.ToList();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/>; false if the condition does not hold by then (for loops that advance a manual clock).</summary>
    public bool TryWaitUntil(Func<IReadOnlyList<T>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_records)
        {
            while (!condition(_records))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }
                Monitor.Wait(_records, left);
            }
            return true;
        }
    }

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new Writer(this);

    private sealed class Writer(WaitingSink<T> sink) : ISinkWriter<T>
    {
        public void Write(T record)
        {
            lock (sink._records)
            {
                sink._records.Add(record);
                Monitor.PulseAll(sink._records);
            }
        }

        public void Flush(bool endOfInput) { }

        public void Dispose() { }
    }
}
