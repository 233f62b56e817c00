using DataflowCompiler.State;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Fires repeatedly every <see cref="Interval"/> of event time (aligned to multiples of the interval), and at the
/// end of the window (Flink's ContinuousEventTimeTrigger).
/// </summary>
public sealed class ContinuousEventTimeTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private readonly ReducingStateDescriptor<long> _fireTimeDescriptor = new("continuous-event-time-fire-time", Math.Min);

    private ContinuousEventTimeTrigger(long interval) => Interval = interval;

    /// <summary>The event-time distance between firings.</summary>
    public long Interval { get; }

    /// <summary>A trigger that fires every <paramref name="interval"/> of event time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">interval ≤ 0.</exception>
    public static ContinuousEventTimeTrigger<T, W> Of(long interval)
    {
        WindowArguments.CheckPositive(nameof(ContinuousEventTimeTrigger<T, W>), "interval", interval);
        return new ContinuousEventTimeTrigger<T, W>(interval);
    }

    /// <summary>A trigger that fires every <paramref name="interval"/> of event time.</summary>
    public static ContinuousEventTimeTrigger<T, W> Of(TimeSpan interval) => Of(WindowArguments.Millis(interval));

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context)
    {
        if (window.MaxTimestamp <= context.CurrentWatermark)
        {
            return TriggerResult.Fire;
        }
        context.RegisterEventTimeTimer(window.MaxTimestamp);
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (!fireTime.HasValue)
        {
            long start = TimeWindow.GetWindowStartWithOffset(timestamp, 0, Interval);
            RegisterNextFireTimestamp(start + Interval, window, context, fireTime);
        }
        return TriggerResult.Continue;
    }

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context)
    {
        if (time == window.MaxTimestamp)
        {
            return TriggerResult.Fire;
        }
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (fireTime.HasValue && fireTime.Get() == time)
        {
            fireTime.Clear();
            RegisterNextFireTimestamp(time + Interval, window, context, fireTime);
            return TriggerResult.Fire;
        }
        return TriggerResult.Continue;
    }

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override bool CanMerge => true;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context)
    {
        context.MergePartitionedState(_fireTimeDescriptor);
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (fireTime.HasValue)
        {
            context.RegisterEventTimeTimer(fireTime.Get());
        }
    }

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context)
    {
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (fireTime.HasValue)
        {
            context.DeleteEventTimeTimer(fireTime.Get());
            fireTime.Clear();
        }
    }

    private static void RegisterNextFireTimestamp(long time, W window, TriggerContext context, IReducingState<long> fireTime)
    {
        long next = Math.Min(time, window.MaxTimestamp);
        fireTime.Add(next);
        context.RegisterEventTimeTimer(next);
    }

    /// <inheritdoc />
    public override string ToString() => $"ContinuousEventTimeTrigger({Interval})";
}
