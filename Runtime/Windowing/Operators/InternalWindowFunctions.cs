using DataflowCompiler.Functions;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// Turns a window's contents into results (Flink's InternalWindowFunction): the reduced value or accumulator of
/// incremental windows, or the element list of process and evicting windows.
/// </summary>
internal interface IInternalWindowFunction<in TAcc, TOut, TKey, W>
    where W : IWindow
{
    void Process(TKey key, W window, WindowFunctionContext<TKey, W> context, TAcc contents, ICollector<TOut> output);

    void Clear(W window, WindowFunctionContext<TKey, W> context);
}

/// <summary>Emits the incrementally computed value as it is (reduce without a process function).</summary>
internal sealed class PassThroughWindowFunction<T, TKey, W> : IInternalWindowFunction<T, T, TKey, W>
    where W : IWindow
{
    public void Process(TKey key, W window, WindowFunctionContext<TKey, W> context, T contents, ICollector<T> output) => output.Collect(contents);

    public void Clear(W window, WindowFunctionContext<TKey, W> context)
    {
    }
}

/// <summary>Turns an accumulator into the aggregate's result, then hands it on.</summary>
internal sealed class AggregateResultWindowFunction<TIn, TAcc, TRes, TOut, TKey, W>(
    IAggregateFunction<TIn, TAcc, TRes> aggregate, IInternalWindowFunction<TRes, TOut, TKey, W> next) : IInternalWindowFunction<TAcc, TOut, TKey, W>
    where W : IWindow
{
    public void Process(TKey key, W window, WindowFunctionContext<TKey, W> context, TAcc contents, ICollector<TOut> output) =>
        next.Process(key, window, context, aggregate.GetResult(contents), output);

    public void Clear(W window, WindowFunctionContext<TKey, W> context) => next.Clear(window, context);
}

/// <summary>Folds the (evicted) element list with an aggregate function: reduce/aggregate windows that have an evictor.</summary>
internal sealed class FoldingWindowFunction<TIn, TAcc, TRes, TOut, TKey, W>(
    IAggregateFunction<TIn, TAcc, TRes> aggregate, IInternalWindowFunction<TRes, TOut, TKey, W> next) : IInternalWindowFunction<IEnumerable<TIn>, TOut, TKey, W>
    where W : IWindow
{
    public void Process(TKey key, W window, WindowFunctionContext<TKey, W> context, IEnumerable<TIn> contents, ICollector<TOut> output)
    {
        var accumulator = aggregate.CreateAccumulator();
        bool any = false;
        foreach (var element in contents)
        {
            accumulator = aggregate.Add(element, accumulator);
            any = true;
        }
        if (any)
        {
            next.Process(key, window, context, aggregate.GetResult(accumulator), output);
        }
    }

    public void Clear(W window, WindowFunctionContext<TKey, W> context) => next.Clear(window, context);
}

/// <summary>A reduce function seen as an aggregate whose accumulator is the reduced value (for evicting reduce windows).</summary>
internal sealed class ReduceAggregateFunction<T>(Func<T, T, T> reduce) : IAggregateFunction<T, (bool Has, T Value), T>
{
    public (bool Has, T Value) CreateAccumulator() => (false, default!);

    public (bool Has, T Value) Add(T value, (bool Has, T Value) accumulator) => accumulator.Has ? (true, reduce(accumulator.Value, value)) : (true, value);

    public T GetResult((bool Has, T Value) accumulator) => accumulator.Value;

    public (bool Has, T Value) Merge((bool Has, T Value) a, (bool Has, T Value) b) =>
        !a.Has ? b : !b.Has ? a : (true, reduce(a.Value, b.Value));
}

/// <summary>Calls a <see cref="ProcessWindowFunction{TIn, TOut, TKey, W}"/> with the element list.</summary>
internal sealed class InternalIterableProcessWindowFunction<TIn, TOut, TKey, W> : IInternalWindowFunction<IEnumerable<TIn>, TOut, TKey, W>
    where W : IWindow
{
    private readonly ProcessWindowFunction<TIn, TOut, TKey, W> _function;
    private ProcessContext? _context;

    public InternalIterableProcessWindowFunction(ProcessWindowFunction<TIn, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        _function = function;
    }

    public void Process(TKey key, W window, WindowFunctionContext<TKey, W> context, IEnumerable<TIn> contents, ICollector<TOut> output) =>
        _function.Process(key, Bind(context), contents, output);

    public void Clear(W window, WindowFunctionContext<TKey, W> context) => _function.Clear(Bind(context));

    private ProcessContext Bind(WindowFunctionContext<TKey, W> context)
    {
        if (_context is null || !ReferenceEquals(_context.Inner, context))
        {
            _context = new ProcessContext(context);
        }
        return _context;
    }

    private sealed class ProcessContext(WindowFunctionContext<TKey, W> inner) : ProcessWindowFunction<TIn, TOut, TKey, W>.Context
    {
        public WindowFunctionContext<TKey, W> Inner => inner;

        public override W Window => inner.Window;

        public override long CurrentProcessingTime => inner.CurrentProcessingTime;

        public override long CurrentWatermark => inner.CurrentWatermark;

        public override State.IKeyedStateStore WindowState => inner.WindowState;

        public override State.IKeyedStateStore GlobalState => inner.GlobalState;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => inner.Output(tag, value);
    }
}

/// <summary>Calls a process window function with the single incrementally computed value (incremental + process).</summary>
internal sealed class InternalSingleValueProcessWindowFunction<T, TOut, TKey, W>(ProcessWindowFunction<T, TOut, TKey, W> function)
    : IInternalWindowFunction<T, TOut, TKey, W>
    where W : IWindow
{
    private readonly InternalIterableProcessWindowFunction<T, TOut, TKey, W> _adapter = new(function);

    public void Process(TKey key, W window, WindowFunctionContext<TKey, W> context, T contents, ICollector<TOut> output) =>
        _adapter.Process(key, window, context, [contents], output);

    public void Clear(W window, WindowFunctionContext<TKey, W> context) => _adapter.Clear(window, context);
}
