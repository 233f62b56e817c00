using DataflowCompiler.Time;

namespace DataflowCompiler.Functions;

/// <summary>
/// Processes two connected inputs with side outputs. On connected keyed streams, state is scoped to the current
/// key and timers registered through <see cref="Context.TimerService"/> belong to it and call <see cref="OnTimer"/>.
/// </summary>
public abstract class CoProcessFunction<TIn1, TIn2, TOut> : RichFunction
{
    public abstract void ProcessElement1(TIn1 value, Context context, ICollector<TOut> output);

    public abstract void ProcessElement2(TIn2 value, Context context, ICollector<TOut> output);

    /// <summary>
    /// Called when a timer fires (connected keyed streams only), with the timer's key as the current key.
    /// Event-time timers fire in timestamp order before the watermark that reached them is forwarded.
    /// </summary>
    public virtual void OnTimer(long timestamp, OnTimerContext context, ICollector<TOut> output) { }

    /// <summary>What a co-process function can do besides emitting main output.</summary>
    public abstract class Context
    {
        /// <summary>The timestamp of the record being processed (of the firing timer in <see cref="OnTimer"/>), or null if it has none.</summary>
        public abstract long? Timestamp { get; }

        /// <summary>Current processing time and watermark (the minimum over both inputs), and timers for the current key on keyed streams.</summary>
        public abstract ITimerService TimerService { get; }

        /// <summary>Emits a record to the side output named by <paramref name="tag"/>.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }

    /// <summary>The context of <see cref="OnTimer"/>.</summary>
    public abstract class OnTimerContext : Context
    {
        /// <summary>Whether an event-time or a processing-time timer fired.</summary>
        public abstract TimeDomain TimeDomain { get; }

        /// <summary>The key of the firing timer (boxed; the connected streams' key type).</summary>
        public abstract object CurrentKey { get; }
    }
}
