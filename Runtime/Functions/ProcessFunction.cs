using DataflowCompiler.Time;

namespace DataflowCompiler.Functions;

/// <summary>
/// The general one-input function: sees each record with a context that can emit to side outputs and read
/// the record's timestamp and the current watermark. Timers need a keyed stream (<see cref="KeyedProcessFunction{TKey,TIn,TOut}"/>).
/// </summary>
public abstract class ProcessFunction<TIn, TOut> : RichFunction
{
    public abstract void ProcessElement(TIn value, Context context, ICollector<TOut> output);

    /// <summary>What a process function can do besides emitting main output.</summary>
    public abstract class Context
    {
        /// <summary>The timestamp of the record being processed, or null if it has none.</summary>
        public abstract long? Timestamp { get; }

        /// <summary>Current processing time and watermark; registering a timer throws (timers need a keyed stream).</summary>
        public abstract ITimerService TimerService { get; }

        /// <summary>Emits a record to the side output named by <paramref name="tag"/>.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }
}
