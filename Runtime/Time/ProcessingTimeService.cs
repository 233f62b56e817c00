using DataflowCompiler.Tasks;

namespace DataflowCompiler.Time;

/// <summary>
/// The processing-time timers of one task (Flink's ProcessingTimeService). Time comes from the job's
/// <see cref="TimeProvider"/>; a due timer does not run on the clock's thread but posts to the task's
/// mailbox, so callbacks run on the task thread between records. With a <see cref="ManualTimeProvider"/>
/// timers fire when the test advances the clock. Register and cancel on the task thread only.
/// </summary>
internal sealed class ProcessingTimeService(TimeProvider timeProvider)
{
    private readonly HashSet<ScheduledTimer> _scheduled = new();
    private Mailbox? _mailbox;
    private bool _quiesced;

    public TimeProvider TimeProvider => timeProvider;

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public long CurrentProcessingTime => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Connects the service to the mailbox of its task (done by the task before operators open).</summary>
    public void Attach(Mailbox mailbox) => _mailbox = mailbox;

    /// <summary>
    /// Runs <paramref name="callback"/> with <paramref name="timestamp"/> on the task thread once the clock reaches
    /// <paramref name="timestamp"/> (at once, through the mailbox, if it already has).
    /// </summary>
    public ScheduledTimer RegisterTimer(long timestamp, Action<long> callback)
    {
        var mailbox = _mailbox ?? throw new InvalidOperationException("Processing-time timers can be registered only once the task runs.");
        var scheduled = new ScheduledTimer(this, mailbox, timestamp, callback);
        if (_quiesced)
        {
            return scheduled; // never fires
        }
        _scheduled.Add(scheduled);
        if (timeProvider is ManualTimeProvider manual)
        {
            // Absolute due time: the test thread may advance the clock while this thread registers.
            scheduled.Timer = manual.CreateTimerAt(timestamp, static s => ((ScheduledTimer)s!).OnDue(), scheduled);
            return scheduled;
        }
        long delay = timestamp - CurrentProcessingTime;
        if (delay <= 0)
        {
            mailbox.Post(scheduled.Run);
        }
        else
        {
            scheduled.Timer = timeProvider.CreateTimer(static s => ((ScheduledTimer)s!).OnDue(), scheduled, TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
        }
        return scheduled;
    }

    /// <summary>Cancels every timer; nothing fires afterwards (end of input, failure, cancellation).</summary>
    public void Quiesce()
    {
        _quiesced = true;
        foreach (var scheduled in _scheduled)
        {
            scheduled.CancelTimer();
        }
        _scheduled.Clear();
    }

    /// <summary>Timers registered and neither fired nor cancelled.</summary>
    public int PendingCount => _scheduled.Count;

    /// <summary>One registration; <see cref="Cancel"/> it on the task thread.</summary>
    internal sealed class ScheduledTimer(ProcessingTimeService owner, Mailbox mailbox, long timestamp, Action<long> callback)
    {
        private volatile bool _cancelled;

        public ITimer? Timer;

        public long Timestamp => timestamp;

        public void Cancel()
        {
            CancelTimer();
            owner._scheduled.Remove(this);
        }

        internal void CancelTimer()
        {
            _cancelled = true;
            Timer?.Dispose();
        }

        // On the clock's thread: only hand over to the task.
        internal void OnDue()
        {
            if (!_cancelled)
            {
                mailbox.Post(Run);
            }
        }

        internal void Run()
        {
            if (_cancelled || owner._quiesced)
            {
                return;
            }
            _cancelled = true;
            Timer?.Dispose();
            owner._scheduled.Remove(this);
            callback(timestamp);
        }
    }
}
