namespace DataflowCompiler.Windowing;

/// <summary>A trigger that never fires: the default of <see cref="GlobalWindows"/> (Flink's GlobalWindows.NeverTrigger).</summary>
public sealed class NeverTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private static readonly NeverTrigger<T, W> Shared = new();

    private NeverTrigger()
    {
    }

    /// <summary>The never-firing trigger.</summary>
    public static NeverTrigger<T, W> Create() => Shared;

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) => TriggerResult.Continue;

    /// <inheritdoc />
    public override bool CanMerge => true;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context)
    {
    }

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context)
    {
    }
}
