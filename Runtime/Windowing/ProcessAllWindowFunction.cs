using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Evaluates a window of a non-keyed windowed stream (<see cref="DataStream{T}.WindowAll{W}"/>) with all its elements,
/// or with the single incrementally computed result (Flink's ProcessAllWindowFunction).
/// </summary>
/// <typeparam name="TIn">The element type (the reduce or aggregate result when combined with one).</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
/// <typeparam name="W">The window type.</typeparam>
public abstract class ProcessAllWindowFunction<TIn, TOut, W> : RichFunction
    where W : IWindow
{
    /// <summary>Evaluates the window; results go to <paramref name="output"/> with the window's max timestamp.</summary>
    public abstract void Process(Context context, IEnumerable<TIn> elements, ICollector<TOut> output);

    /// <summary>Called when the window is removed (end + allowed lateness): clear per-window state here.</summary>
    public virtual void Clear(Context context)
    {
    }

    /// <summary>What a process-all-window function sees besides the elements.</summary>
    public abstract class Context
    {
        /// <summary>The window being evaluated.</summary>
        public abstract W Window { get; }

        /// <summary>The current processing time.</summary>
        public abstract long CurrentProcessingTime { get; }

        /// <summary>The current event-time watermark.</summary>
        public abstract long CurrentWatermark { get; }

        /// <summary>State scoped to this window; cleared by you in <see cref="Clear"/>.</summary>
        public abstract IKeyedStateStore WindowState { get; }

        /// <summary>State shared by all windows.</summary>
        public abstract IKeyedStateStore GlobalState { get; }

        /// <summary>Emits <paramref name="value"/> to the side output <paramref name="tag"/> with the window's max timestamp.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }
}
