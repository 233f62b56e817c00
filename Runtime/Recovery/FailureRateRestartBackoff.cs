namespace DataflowCompiler.Recovery;

/// <summary>
/// Restarts after a fixed delay as long as at most <c>maxFailuresPerInterval</c> failures happened within the last
/// <c>failureRateInterval</c> (the current one included, the window's start inclusive); more fail the job.
/// </summary>
internal sealed class FailureRateRestartBackoff(int maxFailuresPerInterval, TimeSpan failureRateInterval, TimeSpan restartDelay) : IRestartBackoff
{
    // The failures of the current window; at most maxFailuresPerInterval are kept between calls, as only they can
    // push a later failure over the limit.
    private readonly Queue<DateTimeOffset> _failures = new();

    public bool CanRestart(DateTimeOffset now, out TimeSpan delay)
    {
        _failures.Enqueue(now);
        while (now - _failures.Peek() > failureRateInterval)
        {
            _failures.Dequeue();
        }
        bool restart = _failures.Count <= maxFailuresPerInterval;
        while (_failures.Count > maxFailuresPerInterval)
        {
            _failures.Dequeue();
        }
        delay = restart ? restartDelay : TimeSpan.Zero;
        return restart;
    }
}
