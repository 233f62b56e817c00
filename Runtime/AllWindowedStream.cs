using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler;

/// <summary>
/// A non-keyed stream cut into windows (Flink's AllWindowedStream). All elements go to one subtask, so the window
/// operator's parallelism is 1; setting more is an error. Created by <see cref="DataStream{T}.WindowAll{W}"/> and
/// <see cref="DataStream{T}.CountWindowAll(long)"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="W">The window type.</typeparam>
public sealed class AllWindowedStream<T, W>
    where W : IWindow
{
    private readonly WindowSpec<T, byte, W> _spec;

    internal AllWindowedStream(DataStream<T> input, WindowAssigner<W> assigner)
    {
        // One constant key, as Flink's NullByteKeySelector: the keyed window operator then serves WindowAll unchanged.
        _spec = new WindowSpec<T, byte, W>(() => input, static _ => 0, assigner, nonParallel: true);
    }

    /// <summary>Replaces the assigner's default trigger.</summary>
    public AllWindowedStream<T, W> Trigger(Trigger<T, W> trigger)
    {
        _spec.Trigger(trigger);
        return this;
    }

    /// <summary>Removes elements before and/or after the window function runs.</summary>
    public AllWindowedStream<T, W> Evictor(IEvictor<T, W> evictor)
    {
        _spec.Evictor(evictor);
        return this;
    }

    /// <summary>Keeps event-time windows for <paramref name="lateness"/> after their end; late elements in that time fire the window again.</summary>
    public AllWindowedStream<T, W> AllowedLateness(TimeSpan lateness)
    {
        _spec.AllowedLateness((long)lateness.TotalMilliseconds);
        return this;
    }

    /// <summary>Sends elements that arrive after all their windows were cleaned up to the side output <paramref name="tag"/>.</summary>
    public AllWindowedStream<T, W> SideOutputLateData(OutputTag<T> tag)
    {
        _spec.SideOutputLateData(tag);
        return this;
    }

    /// <summary>Internal test hook: reports what the subtask still holds at the end of input.</summary>
    internal AllWindowedStream<T, W> WithStateProbe(WindowStateProbe probe)
    {
        _spec.Probe = probe;
        return this;
    }

    /// <summary>Reduces each window incrementally to one value.</summary>
    public DataStream<T> Reduce(Func<T, T, T> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        return _spec.Build(b => b.Reduce(reduce));
    }

    /// <summary>Reduces each window incrementally with a function object.</summary>
    public DataStream<T> Reduce(IReduceFunction<T> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        return _spec.Build(b => b.Reduce(FunctionCopy.Of(reduce)));
    }

    /// <summary>Reduces each window incrementally, then calls <paramref name="function"/> with the one result and the window.</summary>
    public DataStream<TOut> Reduce<TOut>(Func<T, T, T> reduce, ProcessAllWindowFunction<T, TOut, W> function)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Build(b => b.Reduce(new DelegateReduceFunction<T>(reduce), new ProcessAllWindowFunctionAdapter<T, TOut, W>(FunctionCopy.Of(function))));
    }

    /// <summary>Aggregates each window incrementally with one accumulator per window.</summary>
    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate, nameof(aggregate));
        return _spec.Build(b => b.Aggregate(FunctionCopy.Of(aggregate)));
    }

    /// <summary>Aggregates each window incrementally, then calls <paramref name="function"/> with the one result and the window.</summary>
    public DataStream<TOut> Aggregate<TAcc, TResult, TOut>(IAggregateFunction<T, TAcc, TResult> aggregate, ProcessAllWindowFunction<TResult, TOut, W> function)
    {
        ArgumentNullException.ThrowIfNull(aggregate, nameof(aggregate));
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Build(b => b.Aggregate(FunctionCopy.Of(aggregate), new ProcessAllWindowFunctionAdapter<TResult, TOut, W>(FunctionCopy.Of(function))));
    }

    /// <summary>Calls <paramref name="function"/> with all elements of each window.</summary>
    public DataStream<TOut> Process<TOut>(ProcessAllWindowFunction<T, TOut, W> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Build(b => b.Process(new ProcessAllWindowFunctionAdapter<T, TOut, W>(FunctionCopy.Of(function))));
    }
}
