using DataflowCompiler.State;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Fires every <see cref="MaxCount"/> elements of a window; the count is per-window state (Flink's CountTrigger).
/// Wrap it in a <see cref="PurgingTrigger{T, W}"/> to start each count from an empty window.
/// </summary>
public sealed class CountTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private readonly ReducingStateDescriptor<long> _countDescriptor = new("count-trigger-count", static (a, b) => a + b);

    private CountTrigger(long maxCount) => MaxCount = maxCount;

    /// <summary>How many elements make the trigger fire.</summary>
    public long MaxCount { get; }

    /// <summary>A trigger that fires every <paramref name="maxCount"/> elements.</summary>
    /// <exception cref="ArgumentOutOfRangeException">maxCount ≤ 0.</exception>
    public static CountTrigger<T, W> Of(long maxCount)
    {
        WindowArguments.CheckPositive(nameof(CountTrigger<T, W>), "count", maxCount);
        return new CountTrigger<T, W>(maxCount);
    }

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context)
    {
        var count = context.GetPartitionedState(_countDescriptor);
        count.Add(1);
        if (count.Get() >= MaxCount)
        {
            count.Clear();
            return TriggerResult.Fire;
        }
        return TriggerResult.Continue;
    }

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override bool CanMerge => true;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context) => context.MergePartitionedState(_countDescriptor);

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context) => context.GetPartitionedState(_countDescriptor).Clear();

    /// <inheritdoc />
    public override string ToString() => $"CountTrigger({MaxCount})";
}
