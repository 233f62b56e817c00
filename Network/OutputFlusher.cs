namespace DataflowCompiler.Network;

/// <summary>
/// Calls a flush request periodically (the buffer timeout, 100 ms by default) on a background
/// thread. It only requests: the owning task performs the flush on its own thread.
/// </summary>
public sealed class OutputFlusher : IDisposable
{
    /// <summary>The default buffer timeout (DESIGN §5).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly ManualResetEventSlim _stop = new(false);
    private readonly Thread _thread;
    private readonly TimeSpan _interval;
    private readonly Action _requestFlush;
    private int _disposed;

    /// <param name="interval">Time between requests; must be positive. A buffer timeout of 0 is not a flusher: create the writer with flushAlways instead.</param>
    /// <param name="requestFlush">Asks the task to flush (for example posts to its mailbox); must be cheap and must not throw.</param>
    public OutputFlusher(TimeSpan interval, Action requestFlush)
    {
        ArgumentNullException.ThrowIfNull(requestFlush);
        if (interval <= TimeSpan.Zero || interval.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval,
                "The output flusher's interval must be positive (and below 24 days). A buffer timeout of 0 means " +
                "flushing after every record: create the RecordWriter with flushAlways: true and no OutputFlusher.");
        }
        _interval = interval;
        _requestFlush = requestFlush;
        _thread = new Thread(Run) { IsBackground = true, Name = "Output flusher" };
        _thread.Start();
    }

    /// <summary>The time between two flush requests.</summary>
    public TimeSpan Interval => _interval;

    /// <summary>True until the background thread has stopped.</summary>
    internal bool IsRunning => _thread.IsAlive;

    /// <summary>Stops the requests; none is made after this returns (unless called from the request itself).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Set();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
            _stop.Dispose();
        }
    }

    private void Run()
    {
        // Wait returns true when stopped; each time-out is one tick.
        while (!_stop.Wait(_interval))
        {
            _requestFlush();
        }
    }
}
