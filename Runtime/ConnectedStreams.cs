using DataflowCompiler.Functions;
using DataflowCompiler.Graph;
using DataflowCompiler.Operators;

namespace DataflowCompiler;

/// <summary>Two streams processed together by one operator with two inputs (which may share state).</summary>
public sealed class ConnectedStreams<T1, T2>
{
    private readonly StreamEnvironment _environment;

    internal ConnectedStreams(StreamEnvironment environment, DataStream<T1> first, DataStream<T2> second)
    {
        _environment = environment;
        First = first;
        Second = second;
    }

    /// <summary>The first input.</summary>
    public DataStream<T1> First { get; }

    /// <summary>The second input.</summary>
    public DataStream<T2> Second { get; }

    /// <summary>Maps each input with its own function to a common type.</summary>
    public DataStream<TOut> Map<TOut>(Func<T1, TOut> map1, Func<T2, TOut> map2)
    {
        ArgumentNullException.ThrowIfNull(map1, nameof(map1));
        ArgumentNullException.ThrowIfNull(map2, nameof(map2));
        return Transform<TOut>("CoMap", () => new CoStreamMap<T1, T2, TOut>(map1, map2, null), null);
    }

    /// <summary>Maps each input with a co-map function object.</summary>
    public DataStream<TOut> Map<TOut>(ICoMapFunction<T1, T2, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("CoMap", () => { var f = FunctionCopy.Of(function); return new CoStreamMap<T1, T2, TOut>(f.Map1, f.Map2, f); }, null);
    }

    /// <summary>Flat-maps each input with a co-flat-map function object.</summary>
    public DataStream<TOut> FlatMap<TOut>(ICoFlatMapFunction<T1, T2, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("CoFlatMap", () => new CoStreamFlatMap<T1, T2, TOut>(FunctionCopy.Of(function)), null);
    }

    /// <summary>Processes both inputs with a co-process function (side outputs through its context).</summary>
    public DataStream<TOut> Process<TOut>(CoProcessFunction<T1, T2, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("CoProcess", () => new CoProcessOperator<T1, T2, TOut>(FunctionCopy.Of(function)), null);
    }

    /// <summary>Partitions both inputs by key; equal keys of both inputs meet in the same subtask and share keyed state.</summary>
    public KeyedConnectedStreams<TKey, T1, T2> KeyBy<TKey>(Func<T1, TKey> keySelector1, Func<T2, TKey> keySelector2)
    {
        ArgumentNullException.ThrowIfNull(keySelector1, nameof(keySelector1));
        ArgumentNullException.ThrowIfNull(keySelector2, nameof(keySelector2));
        return new KeyedConnectedStreams<TKey, T1, T2>(_environment, First.KeyBy(keySelector1), Second.KeyBy(keySelector2));
    }

    internal DataStream<TOut> Transform<TOut>(string kind, Func<StreamOperator> factory, TypeInfo? keyType) =>
        TransformTwoInputs<T1, T2, TOut>(_environment, First, Second, kind, factory, keyType);

    internal static DataStream<TOut> TransformTwoInputs<TA, TB, TOut>(StreamEnvironment environment, DataStream<TA> first, DataStream<TB> second,
        string kind, Func<StreamOperator> factory, TypeInfo? keyType)
    {
        var graph = environment.Graph;
        var node = graph.AddNode(new StreamNode(graph.NextId, kind, kind, TypeInfo<TOut>.Instance,
            new TypeInfo[] { TypeInfo<TA>.Instance, TypeInfo<TB>.Instance }, factory)
        { KeyType = keyType });
        first.Wire(node, 1);
        second.Wire(node, 2);
        return new DataStream<TOut>(environment, node);
    }
}
