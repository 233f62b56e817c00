using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// What a window operator needs from the task it runs in: keyed state, time, timers and outputs. The runtime
/// implements it over its keyed state backend, its timer service (Flink's InternalTimerService with the window
/// as namespace) and its outputs, and calls <see cref="IWindowOperator{TKey, TIn, TOut, W}.OnEventTime"/> and
/// <see cref="IWindowOperator{TKey, TIn, TOut, W}.OnProcessingTime"/> when a timer fires. All calls happen on the
/// task thread.
/// </summary>
internal interface IWindowOperatorContext<TKey, W>
    where W : IWindow
{
    /// <summary>
    /// The operator's keyed state backend. The runtime sets its current key before it calls the operator with an
    /// element or a timer, so the operator does not serialize and hash the key a second time.
    /// </summary>
    IKeyedStateBackend<TKey> KeyedStateBackend { get; }

    /// <summary>The current event-time watermark (<see cref="long.MinValue"/> before the first).</summary>
    long CurrentWatermark { get; }

    /// <summary>The current processing time (the task's injectable clock).</summary>
    long CurrentProcessingTime { get; }

    /// <summary>
    /// Registers an event-time timer for the backend's current key and <paramref name="window"/>; it fires once
    /// the watermark is ≥ <paramref name="time"/>. Registering the same (key, window, time) twice keeps one timer.
    /// </summary>
    void RegisterEventTimeTimer(W window, long time);

    /// <summary>Deletes the event-time timer of the current key, <paramref name="window"/> and <paramref name="time"/>; no-op when absent.</summary>
    void DeleteEventTimeTimer(W window, long time);

    /// <summary>Registers a processing-time timer for the current key and <paramref name="window"/> (deduplicated like event-time timers).</summary>
    void RegisterProcessingTimeTimer(W window, long time);

    /// <summary>Deletes the processing-time timer of the current key, <paramref name="window"/> and <paramref name="time"/>; no-op when absent.</summary>
    void DeleteProcessingTimeTimer(W window, long time);

    /// <summary>Emits <paramref name="record"/> with <paramref name="timestamp"/> to the side output <paramref name="tag"/>.</summary>
    void EmitSide<TSide>(OutputTag<TSide> tag, TSide record, long timestamp);
}

/// <summary>The operator context with the main output (results carry the window's max timestamp).</summary>
internal interface IWindowOperatorContext<TKey, W, in TOut> : IWindowOperatorContext<TKey, W>
    where W : IWindow
{
    /// <summary>Emits <paramref name="record"/> with <paramref name="timestamp"/> to the main output.</summary>
    void Emit(TOut record, long timestamp);
}
