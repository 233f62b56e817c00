namespace DataflowCompiler.Windowing;

/// <summary>
/// Fires once processing time passes the window's end (Flink's ProcessingTimeTrigger). The default trigger of the
/// processing-time assigners.
/// </summary>
public sealed class ProcessingTimeTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private static readonly ProcessingTimeTrigger<T, W> Shared = new();

    private ProcessingTimeTrigger()
    {
    }

    /// <summary>The processing-time trigger (stateless, so one instance serves every operator).</summary>
    public static ProcessingTimeTrigger<T, W> Create() => Shared;

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context)
    {
        context.RegisterProcessingTimeTimer(window.MaxTimestamp);
        return TriggerResult.Continue;
    }

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) => TriggerResult.Fire;

    /// <inheritdoc />
    public override bool CanMerge => true;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context)
    {
        if (window.MaxTimestamp > context.CurrentProcessingTime)
        {
            context.RegisterProcessingTimeTimer(window.MaxTimestamp);
        }
    }

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context) => context.DeleteProcessingTimeTimer(window.MaxTimestamp);
}
