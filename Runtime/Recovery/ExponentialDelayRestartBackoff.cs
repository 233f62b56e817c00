namespace DataflowCompiler.Recovery;

/// <summary>
/// Restarts with a delay that starts at <c>initialBackoff</c> and is multiplied by <c>backoffMultiplier</c> after every
/// failure up to <c>maxBackoff</c>, ± <c>jitterFactor</c> × the backoff (the result never exceeds <c>maxBackoff</c>).
/// When the job ran <c>resetBackoffThreshold</c> since its last restart without failing, the backoff and the attempt
/// count start over. More than <c>attemptsBeforeResetBackoff</c> failures without such a reset fail the job.
/// </summary>
internal sealed class ExponentialDelayRestartBackoff : IRestartBackoff
{
    private readonly TimeSpan _initialBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly double _backoffMultiplier;
    private readonly TimeSpan _resetBackoffThreshold;
    private readonly double _jitterFactor;
    private readonly int _attemptsBeforeResetBackoff;
    private readonly Random _random;

    private TimeSpan _currentBackoff;
    private int _attempts;
    private DateTimeOffset? _restartedAt;

    public ExponentialDelayRestartBackoff(
        TimeSpan initialBackoff, TimeSpan maxBackoff, double backoffMultiplier, TimeSpan resetBackoffThreshold,
        double jitterFactor, int attemptsBeforeResetBackoff, Random random)
    {
        _initialBackoff = initialBackoff;
        _maxBackoff = maxBackoff;
        _backoffMultiplier = backoffMultiplier;
        _resetBackoffThreshold = resetBackoffThreshold;
        _jitterFactor = jitterFactor;
        _attemptsBeforeResetBackoff = attemptsBeforeResetBackoff;
        _random = random;
    }

    /// <summary>The backoff before jitter that the last restart used (tests).</summary>
    internal TimeSpan CurrentBackoff => _currentBackoff;

    public bool CanRestart(DateTimeOffset now, out TimeSpan delay)
    {
        if (_restartedAt is not { } restartedAt || now - restartedAt >= _resetBackoffThreshold)
        {
            _currentBackoff = _initialBackoff;
            _attempts = 1;
        }
        else
        {
            _currentBackoff = _currentBackoff >= _maxBackoff
                ? _maxBackoff
                : TimeSpan.FromTicks((long)Math.Min(_currentBackoff.Ticks * _backoffMultiplier, _maxBackoff.Ticks));
            _attempts = _attempts == int.MaxValue ? int.MaxValue : _attempts + 1;
        }

        if (_attempts > _attemptsBeforeResetBackoff)
        {
            delay = TimeSpan.Zero;
            return false;
        }
        delay = WithJitter(_currentBackoff);
        // Saturates: a huge maxBackoff must not overflow the timestamp.
        _restartedAt = DateTimeOffset.MaxValue - now > delay ? now + delay : DateTimeOffset.MaxValue;
        return true;
    }

    private TimeSpan WithJitter(TimeSpan backoff)
    {
        if (_jitterFactor == 0)
        {
            return backoff;
        }
        long offset = (long)(backoff.Ticks * _jitterFactor);
        long jittered = backoff.Ticks + _random.NextInt64(-offset, offset + 1);
        return TimeSpan.FromTicks(Math.Min(jittered, _maxBackoff.Ticks));
    }
}
