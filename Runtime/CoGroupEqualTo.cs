using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler;

/// <summary>A co-group with both keys; continue with <see cref="Window{W}"/>.</summary>
public sealed class CoGroupEqualTo<T1, T2, TKey>
{
    private readonly DataStream<T1> _first;
    private readonly DataStream<T2> _second;
    private readonly Func<T1, TKey> _key1;
    private readonly Func<T2, TKey> _key2;

    internal CoGroupEqualTo(DataStream<T1> first, DataStream<T2> second, Func<T1, TKey> key1, Func<T2, TKey> key2)
    {
        _first = first;
        _second = second;
        _key1 = key1;
        _key2 = key2;
    }

    /// <summary>The windows in which elements meet (any assigner: tumbling, sliding, session, global with a trigger).</summary>
    public WindowedCoGroup<T1, T2, TKey, W> Window<W>(WindowAssigner<W> assigner) where W : IWindow
    {
        ArgumentNullException.ThrowIfNull(assigner, nameof(assigner));
        return new WindowedCoGroup<T1, T2, TKey, W>(new TwoInputWindowSpec<T1, T2, TKey, W>(_first, _second, _key1, _key2, assigner, "WindowCoGroup"));
    }
}
