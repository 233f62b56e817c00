using DataflowCompiler.Functions;
using DataflowCompiler.Graph;
using DataflowCompiler.Operators;

namespace DataflowCompiler;

/// <summary>Two streams partitioned by the same key type and processed together with keyed state.</summary>
public sealed class KeyedConnectedStreams<TKey, T1, T2>
{
    private readonly StreamEnvironment _environment;

    internal KeyedConnectedStreams(StreamEnvironment environment, KeyedStream<TKey, T1> first, KeyedStream<TKey, T2> second)
    {
        _environment = environment;
        First = first;
        Second = second;
    }

    public KeyedStream<TKey, T1> First { get; }

    public KeyedStream<TKey, T2> Second { get; }

    /// <summary>Processes both inputs; keyed state is scoped to the key of the record being processed.</summary>
    public DataStream<TOut> Process<TOut>(CoProcessFunction<T1, T2, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        var k1 = First.KeySelector;
        var k2 = Second.KeySelector;
        return ConnectedStreams<T1, T2>.TransformTwoInputs<T1, T2, TOut>(_environment, First, Second, "KeyedCoProcess",
            () => new KeyedCoProcessOperator<TKey, T1, T2, TOut>(FunctionCopy.Of(function), k1, k2), TypeInfo<TKey>.Instance);
    }

    /// <summary>Maps each input with its own function (no state).</summary>
    public DataStream<TOut> Map<TOut>(Func<T1, TOut> map1, Func<T2, TOut> map2)
    {
        ArgumentNullException.ThrowIfNull(map1, nameof(map1));
        ArgumentNullException.ThrowIfNull(map2, nameof(map2));
        return ConnectedStreams<T1, T2>.TransformTwoInputs<T1, T2, TOut>(_environment, First, Second, "CoMap",
            () => new CoStreamMap<T1, T2, TOut>(map1, map2, null), null);
    }
}
