namespace DataflowCompiler.Windowing;

/// <summary>
/// Turns every <see cref="TriggerResult.Fire"/> of the nested trigger into <see cref="TriggerResult.FireAndPurge"/>
/// (Flink's PurgingTrigger).
/// </summary>
public sealed class PurgingTrigger<T, W> : Trigger<T, W>
    where W : IWindow
{
    private PurgingTrigger(Trigger<T, W> nested) => Nested = nested;

    /// <summary>The wrapped trigger.</summary>
    public Trigger<T, W> Nested { get; }

    /// <summary>Wraps <paramref name="nested"/> so that every firing also purges the window.</summary>
    public static PurgingTrigger<T, W> Of(Trigger<T, W> nested)
    {
        ArgumentNullException.ThrowIfNull(nested);
        return new PurgingTrigger<T, W>(nested);
    }

    /// <inheritdoc />
    public override TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context) =>
        Purge(Nested.OnElement(element, timestamp, window, context));

    /// <inheritdoc />
    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) => Purge(Nested.OnEventTime(time, window, context));

    /// <inheritdoc />
    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) =>
        Purge(Nested.OnProcessingTime(time, window, context));

    /// <inheritdoc />
    public override bool CanMerge => Nested.CanMerge;

    /// <inheritdoc />
    public override void OnMerge(W window, OnMergeContext context) => Nested.OnMerge(window, context);

    /// <inheritdoc />
    public override void Clear(W window, TriggerContext context) => Nested.Clear(window, context);

    private static TriggerResult Purge(TriggerResult result) => result.IsFire() ? TriggerResult.FireAndPurge : result;

    /// <inheritdoc />
    public override string ToString() => $"PurgingTrigger({Nested})";
}
