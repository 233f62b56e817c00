using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler;

/// <summary>
/// A keyed stream cut into windows (Flink's WindowedStream): set the trigger, evictor, allowed lateness and late-data
/// side output, then give the window function (<see cref="Reduce(Func{T, T, T})"/>, <see cref="Aggregate{TAcc, TOut}"/>,
/// <see cref="Process{TOut}"/>). Results carry the window's max timestamp. Created by <see cref="KeyedStream{TKey, T}.Window{W}"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="W">The window type (<see cref="TimeWindow"/> or <see cref="GlobalWindow"/>).</typeparam>
public sealed class WindowedStream<T, TKey, W>
    where W : IWindow
{
    private readonly WindowSpec<T, TKey, W> _spec;

    internal WindowedStream(KeyedStream<TKey, T> input, WindowAssigner<W> assigner)
    {
        _spec = new WindowSpec<T, TKey, W>(() => input, input.KeySelector, assigner, nonParallel: false);
    }

    /// <summary>Replaces the assigner's default trigger.</summary>
    public WindowedStream<T, TKey, W> Trigger(Trigger<T, W> trigger)
    {
        _spec.Trigger(trigger);
        return this;
    }

    /// <summary>Removes elements before and/or after the window function runs; the window then keeps every element.</summary>
    public WindowedStream<T, TKey, W> Evictor(IEvictor<T, W> evictor)
    {
        _spec.Evictor(evictor);
        return this;
    }

    /// <summary>Keeps event-time windows for <paramref name="lateness"/> after their end; late elements in that time fire the window again.</summary>
    public WindowedStream<T, TKey, W> AllowedLateness(TimeSpan lateness)
    {
        _spec.AllowedLateness((long)lateness.TotalMilliseconds);
        return this;
    }

    /// <summary>Keeps event-time windows for <paramref name="lateness"/> milliseconds after their end.</summary>
    public WindowedStream<T, TKey, W> AllowedLateness(long lateness)
    {
        _spec.AllowedLateness(lateness);
        return this;
    }

    /// <summary>
    /// Sends elements that arrive after all their windows were cleaned up to the side output <paramref name="tag"/>
    /// (read it with <see cref="DataStream{T}.GetSideOutput{TSide}"/> on the result) instead of dropping them.
    /// </summary>
    public WindowedStream<T, TKey, W> SideOutputLateData(OutputTag<T> tag)
    {
        _spec.SideOutputLateData(tag);
        return this;
    }

    /// <summary>Internal test hook: reports what each subtask still holds at the end of input.</summary>
    internal WindowedStream<T, TKey, W> WithStateProbe(WindowStateProbe probe)
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

    /// <summary>Reduces each window incrementally with a function object (rich functions are opened per subtask).</summary>
    public DataStream<T> Reduce(IReduceFunction<T> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        return _spec.Build(b => b.Reduce(FunctionCopy.Of(reduce)));
    }

    /// <summary>Reduces each window incrementally, then calls <paramref name="function"/> with the one result and the window.</summary>
    public DataStream<TOut> Reduce<TOut>(Func<T, T, T> reduce, ProcessWindowFunction<T, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        return Reduce(new DelegateReduceFunction<T>(reduce), function);
    }

    /// <summary>Reduces each window incrementally, then calls <paramref name="function"/> with the one result and the window.</summary>
    public DataStream<TOut> Reduce<TOut>(IReduceFunction<T> reduce, ProcessWindowFunction<T, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Build(b => b.Reduce(FunctionCopy.Of(reduce), FunctionCopy.Of(function)));
    }

    /// <summary>Aggregates each window incrementally with one accumulator per window.</summary>
    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate, nameof(aggregate));
        return _spec.Build(b => b.Aggregate(FunctionCopy.Of(aggregate)));
    }

    /// <summary>Aggregates each window incrementally, then calls <paramref name="function"/> with the one result and the window.</summary>
    public DataStream<TOut> Aggregate<TAcc, TResult, TOut>(IAggregateFunction<T, TAcc, TResult> aggregate, ProcessWindowFunction<TResult, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(aggregate, nameof(aggregate));
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Build(b => b.Aggregate(FunctionCopy.Of(aggregate), FunctionCopy.Of(function)));
    }

    /// <summary>Calls <paramref name="function"/> with all elements of each window (kept in state until the window fires).</summary>
    public DataStream<TOut> Process<TOut>(ProcessWindowFunction<T, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Build(b => b.Process(FunctionCopy.Of(function)));
    }
}
