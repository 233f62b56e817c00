namespace DataflowCompiler.Time;

/// <summary>
/// A clock that moves only when told to, for tests: set it as <see cref="StreamConfiguration.TimeProvider"/>
/// and call <see cref="Advance"/>. Timers created from it fire during <see cref="Advance"/> (or
/// <see cref="SetUtcNow"/>), on the calling thread, in due-time order; the runtime's timers only post to their
/// task's mailbox, so processing-time timers and periodic watermarks run on the task thread without real time
/// passing. Thread-safe.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = new();
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>A clock at <paramref name="start"/>; the default is 2000-01-01T00:00:00Z.</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The current time in milliseconds since the Unix epoch (the unit of processing time).</summary>
    public long CurrentTimeMillis => GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock forward by <paramref name="delta"/> and fires every timer that became due.</summary>
    public void Advance(TimeSpan delta)
    {
        if (delta < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "A manual clock only moves forward.");
        }
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }
        SetUtcNow(target);
    }

    /// <summary>Moves the clock to <paramref name="value"/> (not backwards) and fires every timer that became due.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_lock)
        {
            if (value < _now)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A manual clock only moves forward.");
            }
        }
        // Fire one timer at a time, with the clock at its due time, so callbacks see the time they were due at.
        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt <= value && (due is null || timer.DueAt < due.DueAt || (timer.DueAt == due.DueAt && timer.Sequence < due.Sequence)))
                    {
                        due = timer;
                    }
                }
                if (due is null)
                {
                    _now = value;
                    return;
                }
                if (due.DueAt > _now)
                {
                    _now = due.DueAt;
                }
                if (due.Period is { } period)
                {
                    due.DueAt += period;
                }
                else
                {
                    _timers.Remove(due);
                }
            }
            due.Fire();
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// A one-shot timer due at an absolute time (milliseconds since the Unix epoch); fires at once, on this thread, if
    /// that time has passed. A relative <see cref="CreateTimer"/> computed from an earlier clock reading would land
    /// late when another thread advances the clock in between, and a manual clock never catches up by itself.
    /// </summary>
    internal ITimer CreateTimerAt(long dueAtMillis, TimerCallback callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        var dueAt = DateTimeOffset.FromUnixTimeMilliseconds(dueAtMillis);
        bool fireNow;
        lock (_lock)
        {
            fireNow = dueAt <= _now;
            if (!fireNow)
            {
                timer.DueAt = dueAt;
                timer.Sequence = _sequence++;
                _timers.Add(timer);
            }
        }
        if (fireNow)
        {
            timer.Fire();
        }
        return timer;
    }

    /// <summary>Timers that have not fired yet or are periodic (tests check that a task cleaned up).</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt;
        public TimeSpan? Period;
        public long Sequence;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool fireNow = false;
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }
                ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
                DueAt = owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
                Sequence = owner._sequence++;
                if (dueTime == TimeSpan.Zero)
                {
                    fireNow = true;
                    if (Period is { } p)
                    {
                        DueAt += p;
                        owner._timers.Add(this);
                    }
                }
                else
                {
                    owner._timers.Add(this);
                }
            }
            if (fireNow)
            {
                Fire();
            }
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
