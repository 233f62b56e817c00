using DataflowCompiler.Functions;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// A window join or co-group as Flink builds it: both inputs are mapped to a <see cref="TaggedUnion{T1, T2}"/>, united,
/// keyed by their own key selectors and windowed; the window function splits each window's elements again. Nodes are
/// added only when the function is given.
/// </summary>
internal sealed class TwoInputWindowSpec<T1, T2, TKey, W>
    where W : IWindow
{
    private readonly DataStream<T1> _first;
    private readonly DataStream<T2> _second;
    private readonly Func<T1, TKey> _key1;
    private readonly Func<T2, TKey> _key2;
    private readonly string _kind;
    private readonly WindowSpec<TaggedUnion<T1, T2>, TKey, W> _spec;

    public TwoInputWindowSpec(DataStream<T1> first, DataStream<T2> second, Func<T1, TKey> key1, Func<T2, TKey> key2, WindowAssigner<W> assigner, string kind)
    {
        _first = first;
        _second = second;
        _key1 = key1;
        _key2 = key2;
        _kind = kind;
        _spec = new WindowSpec<TaggedUnion<T1, T2>, TKey, W>(Input, UnionKey, assigner, nonParallel: false);
    }

    public void Trigger(Trigger<TaggedUnion<T1, T2>, W> trigger) => _spec.Trigger(trigger);

    public void Evictor(IEvictor<TaggedUnion<T1, T2>, W> evictor) => _spec.Evictor(evictor);

    public void AllowedLateness(long lateness) => _spec.AllowedLateness(lateness);

    public WindowStateProbe? Probe
    {
        set => _spec.Probe = value;
    }

    public DataStream<TOut> Apply<TOut>(Func<ICoGroupFunction<T1, T2, TOut>> coGroup)
    {
        var registry = _first.Environment.Serializers;
        var serializer = new TaggedUnionSerializer<T1, T2>(registry);
        registry.Register<TaggedUnion<T1, T2>>(serializer);
        _spec.ElementSerializer(serializer);
        return _spec.Build(b => b.Process(new CoGroupWindowFunction<T1, T2, TOut, TKey, W>(coGroup()))).Name(_kind);
    }

    private TKey UnionKey(TaggedUnion<T1, T2> element) => element.IsOne ? _key1(element.One) : _key2(element.Two);

    private DataStream<TaggedUnion<T1, T2>> Input()
    {
        var one = _first.Map(TaggedUnion<T1, T2>.OfOne).Name($"{_kind}: tag first input");
        var two = _second.Map(TaggedUnion<T1, T2>.OfTwo).Name($"{_kind}: tag second input");
        return one.Union(two).KeyBy(UnionKey);
    }
}
