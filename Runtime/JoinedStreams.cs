using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler;

/// <summary>Two streams to join in windows (Flink's JoinedStreams); continue with <see cref="Where{TKey}"/>.</summary>
public sealed class JoinedStreams<T1, T2>
{
    private readonly DataStream<T1> _first;
    private readonly DataStream<T2> _second;

    internal JoinedStreams(DataStream<T1> first, DataStream<T2> second)
    {
        _first = first;
        _second = second;
    }

    /// <summary>The key of the first stream's elements.</summary>
    public JoinWhere<T1, T2, TKey> Where<TKey>(Func<T1, TKey> keySelector)
    {
        ArgumentNullException.ThrowIfNull(keySelector, nameof(keySelector));
        return new JoinWhere<T1, T2, TKey>(_first, _second, keySelector);
    }
}
