namespace DataflowCompiler.Time;

/// <summary>
/// Wraps a generator and marks the output idle when no record arrived for the idle timeout, as Flink's
/// WatermarksWithIdleness: the check runs at each periodic emission; the next record marks it active.
/// </summary>
internal sealed class WatermarksWithIdleness<T>(IWatermarkGenerator<T> inner, TimeSpan idleTimeout, TimeProvider timeProvider) : IWatermarkGenerator<T>
{
    private readonly long _timeoutMillis = Math.Max(1, (long)idleTimeout.TotalMilliseconds);
    private long _events;
    private long _eventsAtLastCheck;
    private long _inactiveSince = -1;
    private bool _idle;

    public void OnEvent(T record, long eventTimestamp, IWatermarkOutput output)
    {
        _events++;
        if (_idle)
        {
            _idle = false;
            output.MarkActive();
        }
        inner.OnEvent(record, eventTimestamp, output);
    }

    public void OnPeriodicEmit(IWatermarkOutput output)
    {
        if (CheckIfIdle())
        {
            if (!_idle)
            {
                _idle = true;
                output.MarkIdle();
            }
            return;
        }
        inner.OnPeriodicEmit(output);
    }

    private bool CheckIfIdle()
    {
        long now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        if (_events != _eventsAtLastCheck)
        {
            _eventsAtLastCheck = _events;
            _inactiveSince = -1;
            return false;
        }
        if (_inactiveSince < 0)
        {
            _inactiveSince = now;
            return false;
        }
        return now - _inactiveSince >= _timeoutMillis;
    }
}
