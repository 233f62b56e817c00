using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler;

/// <summary>A co-group with the first stream's key; continue with <see cref="EqualTo"/>.</summary>
public sealed class CoGroupWhere<T1, T2, TKey>
{
    private readonly DataStream<T1> _first;
    private readonly DataStream<T2> _second;
    private readonly Func<T1, TKey> _key1;

    internal CoGroupWhere(DataStream<T1> first, DataStream<T2> second, Func<T1, TKey> key1)
    {
        _first = first;
        _second = second;
        _key1 = key1;
    }

    /// <summary>The key of the second stream's elements; elements with equal keys meet.</summary>
    public CoGroupEqualTo<T1, T2, TKey> EqualTo(Func<T2, TKey> keySelector)
    {
        ArgumentNullException.ThrowIfNull(keySelector, nameof(keySelector));
        return new CoGroupEqualTo<T1, T2, TKey>(_first, _second, _key1, keySelector);
    }
}
