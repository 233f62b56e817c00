namespace DataflowCompiler.Windowing;

/// <summary>
/// Decides when a window's function is evaluated and when its contents are purged (Flink's Trigger). A trigger
/// object is shared by all keys and windows of an operator: keep per-window data in
/// <see cref="TriggerContext.GetPartitionedState{T}(State.ValueStateDescriptor{T})"/> state, never in fields.
/// Timers registered through the context are scoped to the current key and window and are deduplicated per time.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="W">The window type.</typeparam>
public abstract class Trigger<T, W>
    where W : IWindow
{
    /// <summary>Called for every element added to <paramref name="window"/>.</summary>
    public abstract TriggerResult OnElement(T element, long timestamp, W window, TriggerContext context);

    /// <summary>Called when an event-time timer this trigger registered for <paramref name="window"/> fires.</summary>
    public abstract TriggerResult OnEventTime(long time, W window, TriggerContext context);

    /// <summary>Called when a processing-time timer this trigger registered for <paramref name="window"/> fires.</summary>
    public abstract TriggerResult OnProcessingTime(long time, W window, TriggerContext context);

    /// <summary>True when the trigger supports merging windows (session windows need it).</summary>
    public virtual bool CanMerge => false;

    /// <summary>
    /// Called when windows merged into <paramref name="window"/>: re-register timers for the new window and merge
    /// per-window state with <see cref="OnMergeContext.MergePartitionedState{T}(State.ReducingStateDescriptor{T})"/>.
    /// The state of the merged windows is cleared by the operator afterwards (through <see cref="Clear"/>).
    /// </summary>
    public virtual void OnMerge(W window, OnMergeContext context) =>
        throw new NotSupportedException($"{GetType().Name} does not support merging windows; override CanMerge and OnMerge.");

    /// <summary>
    /// Called when the window is removed: delete this trigger's timers and per-window state for it.
    /// </summary>
    public abstract void Clear(W window, TriggerContext context);

    /// <inheritdoc />
    public override string ToString() => GetType().Name;
}
