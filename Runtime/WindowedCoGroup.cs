using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler;

/// <summary>
/// A windowed co-group (Flink's CoGroupedStreams.WithWindow): optionally a trigger, evictor or allowed lateness, then the function.
/// Results carry the window's max timestamp.
/// </summary>
public sealed class WindowedCoGroup<T1, T2, TKey, W>
    where W : IWindow
{
    private readonly TwoInputWindowSpec<T1, T2, TKey, W> _spec;

    internal WindowedCoGroup(TwoInputWindowSpec<T1, T2, TKey, W> spec)
    {
        _spec = spec;
    }

    /// <summary>Replaces the assigner's default trigger.</summary>
    public WindowedCoGroup<T1, T2, TKey, W> Trigger(Trigger<TaggedUnion<T1, T2>, W> trigger)
    {
        _spec.Trigger(trigger);
        return this;
    }

    /// <summary>Removes elements before and/or after the function runs.</summary>
    public WindowedCoGroup<T1, T2, TKey, W> Evictor(IEvictor<TaggedUnion<T1, T2>, W> evictor)
    {
        _spec.Evictor(evictor);
        return this;
    }

    /// <summary>Keeps event-time windows for <paramref name="lateness"/> after their end; late elements in that time fire the window again.</summary>
    public WindowedCoGroup<T1, T2, TKey, W> AllowedLateness(TimeSpan lateness)
    {
        _spec.AllowedLateness((long)lateness.TotalMilliseconds);
        return this;
    }

    /// <summary>Calls <paramref name="function"/> with both groups of every key and window.</summary>
    public DataStream<TOut> Apply<TOut>(ICoGroupFunction<T1, T2, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return _spec.Apply(() => FunctionCopy.Of(function));
    }
}
