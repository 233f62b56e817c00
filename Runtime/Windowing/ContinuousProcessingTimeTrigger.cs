using DataflowCompiler.State;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Fires repeatedly every <see cref="Interval"/> of processing time, aligned to multiples of the interval
/// (Flink's ContinuousProcessingTimeTrigger).
/// </summary>
public sealed class ContinuousProcessingTimeTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private readonly ReducingStateDescriptor<long> _fireTimeDescriptor = new("continuous-processing-time-fire-time", Math.Min);

    private ContinuousProcessingTimeTrigger(long interval) => Interval = interval;

    /// <summary>The processing-time distance between firings.</summary>
    public long Interval { get; }

    /// <summary>A trigger that fires every <paramref name="interval"/> of processing time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">interval ≤ 0.</exception>
    public static ContinuousProcessingTimeTrigger<T, W> Of(long interval)
    {
        WindowArguments.CheckPositive(nameof(ContinuousProcessingTimeTrigger<T, W>), "interval", interval);
        return new ContinuousProcessingTimeTrigger<T, W>(interval);
    }

    /// <summary>A trigger that fires every <paramref name="interval"/> of processing time.</summary>
    public static ContinuousProcessingTimeTrigger<T, W> Of(TimeSpan interval) => Of(WindowArguments.Millis(interval));

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context)
    {
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (!fireTime.HasValue)
        {
            long now = context.CurrentProcessingTime;
            long start = TimeWindow.GetWindowStartWithOffset(now, 0, Interval);
            RegisterNextFireTimestamp(start + Interval, window, context, fireTime);
        }
        return TriggerResult.Continue;
    }

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context)
    {
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
    public override bool CanMerge => true;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context)
    {
        context.MergePartitionedState(_fireTimeDescriptor);
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (fireTime.HasValue)
        {
            context.RegisterProcessingTimeTimer(fireTime.Get());
        }
    }

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context)
    {
        var fireTime = context.GetPartitionedState(_fireTimeDescriptor);
        if (fireTime.HasValue)
        {
            context.DeleteProcessingTimeTimer(fireTime.Get());
            fireTime.Clear();
        }
    }

    private static void RegisterNextFireTimestamp(long time, W window, TriggerContext context, IReducingState<long> fireTime)
    {
        long next = Math.Min(time, window.MaxTimestamp);
        fireTime.Add(next);
        context.RegisterProcessingTimeTimer(next);
    }

    /// <inheritdoc />
    public override string ToString() => $"ContinuousProcessingTimeTrigger({Interval})";
}
