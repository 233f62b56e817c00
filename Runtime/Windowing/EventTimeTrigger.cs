namespace DataflowCompiler.Windowing;

/// <summary>
/// Fires once the watermark passes the window's end (<see cref="IWindow.MaxTimestamp"/>), and again for every
/// element that arrives after that within the allowed lateness (Flink's EventTimeTrigger). The default trigger
/// of the event-time assigners.
/// </summary>
public sealed class EventTimeTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private static readonly EventTimeTrigger<T, W> Shared = new();

    private EventTimeTrigger()
    {
    }

    /// <summary>The event-time trigger (stateless, so one instance serves every operator).</summary>
    public static EventTimeTrigger<T, W> Create() => Shared;

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context)
    {
        if (window.MaxTimestamp <= context.CurrentWatermark)
        {
            // The watermark already passed the window: a late element within the allowed lateness fires at once.
            return TriggerResult.Fire;
        }
        context.RegisterEventTimeTimer(window.MaxTimestamp);
        return TriggerResult.Continue;
    }

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) =>
        time == window.MaxTimestamp ? TriggerResult.Fire : TriggerResult.Continue;

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override bool CanMerge => true;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context)
    {
        // Only register a timer if the watermark has not passed the end of the merged window yet; otherwise the
        // cleanup timer (or the next element) takes care of it.
        if (window.MaxTimestamp > context.CurrentWatermark)
        {
            context.RegisterEventTimeTimer(window.MaxTimestamp);
        }
    }

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context) => context.DeleteEventTimeTimer(window.MaxTimestamp);
}
