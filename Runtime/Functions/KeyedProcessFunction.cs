using DataflowCompiler.Time;

namespace DataflowCompiler.Functions;

/// <summary>
/// A process function on a keyed stream: keyed state obtained from <see cref="RichFunction.RuntimeContext"/>
/// is scoped to <see cref="Context.CurrentKey"/>, and timers registered through <see cref="Context.TimerService"/>
/// belong to that key and call <see cref="OnTimer"/> with it as the current key.
/// </summary>
public abstract class KeyedProcessFunction<TKey, TIn, TOut> : RichFunction
{
    public abstract void ProcessElement(TIn value, Context context, ICollector<TOut> output);

    /// <summary>
    /// Called when a timer fires, with the timer's key as the current key (keyed state reads that key's state).
    /// Records emitted from an event-time timer carry the timer's timestamp; from a processing-time timer, none.
    /// Event-time timers fire in timestamp order before the watermark that reached them is forwarded.
    /// </summary>
    public virtual void OnTimer(long timestamp, OnTimerContext context, ICollector<TOut> output) { }

    /// <summary>What a keyed process function can do besides emitting main output.</summary>
    public abstract class Context
    {
        /// <summary>The key of the record being processed (of the firing timer in <see cref="OnTimer"/>).</summary>
        public abstract TKey CurrentKey { get; }

        /// <summary>The timestamp of the record being processed (of the firing timer in <see cref="OnTimer"/>), or null if the record has none.</summary>
        public abstract long? Timestamp { get; }

        /// <summary>Current processing time and watermark, and timers for the current key.</summary>
        public abstract ITimerService TimerService { get; }

        /// <summary>Emits a record to the side output named by <paramref name="tag"/>.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }

    /// <summary>The context of <see cref="OnTimer"/>: also tells which clock fired.</summary>
    public abstract class OnTimerContext : Context
    {
        /// <summary>Whether an event-time or a processing-time timer fired.</summary>
        public abstract TimeDomain TimeDomain { get; }
    }
}
