using DataflowCompiler.Functions;
using DataflowCompiler.Operators;

namespace DataflowCompiler;

/// <summary>An interval join with its bounds; optionally make a bound exclusive, then <see cref="Process{TOut}"/> the pairs.</summary>
/// <typeparam name="TKey">The key type of both streams.</typeparam>
/// <typeparam name="T1">The left (first) stream's element type.</typeparam>
/// <typeparam name="T2">The right (second) stream's element type.</typeparam>
public sealed class IntervalJoined<TKey, T1, T2>
{
    private readonly KeyedStream<TKey, T1> _left;
    private readonly KeyedStream<TKey, T2> _right;
    private readonly long _lowerBound;
    private readonly long _upperBound;
    private bool _lowerInclusive = true;
    private bool _upperInclusive = true;
    private Windowing.Operators.WindowStateProbe? _probe;

    internal IntervalJoined(KeyedStream<TKey, T1> left, KeyedStream<TKey, T2> right, long lowerBound, long upperBound)
    {
        _left = left;
        _right = right;
        _lowerBound = lowerBound;
        _upperBound = upperBound;
    }

    /// <summary>Excludes right elements exactly at t + lower bound.</summary>
    public IntervalJoined<TKey, T1, T2> LowerBoundExclusive()
    {
        _lowerInclusive = false;
        return this;
    }

    /// <summary>Excludes right elements exactly at t + upper bound.</summary>
    public IntervalJoined<TKey, T1, T2> UpperBoundExclusive()
    {
        _upperInclusive = false;
        return this;
    }

    /// <summary>Internal test hook: reports what each subtask still buffers at the end of input.</summary>
    internal IntervalJoined<TKey, T1, T2> WithStateProbe(Windowing.Operators.WindowStateProbe probe)
    {
        _probe = probe;
        return this;
    }

    /// <summary>
    /// Calls <paramref name="function"/> once per joined pair; results carry the larger of the two timestamps. Elements
    /// that arrive behind the watermark are dropped (counted in the accumulator <c>&lt;name&gt;.numLateRecordsDropped</c>).
    /// </summary>
    public DataStream<TOut> Process<TOut>(ProcessJoinFunction<T1, T2, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        var key1 = _left.KeySelector;
        var key2 = _right.KeySelector;
        long lower = _lowerBound;
        long upper = _upperBound;
        bool lowerInclusive = _lowerInclusive;
        bool upperInclusive = _upperInclusive;
        var probe = _probe;
        if ((lowerInclusive ? lower : lower + 1) > (upperInclusive ? upper : upper - 1))
        {
            throw new ArgumentException($"IntervalJoin: the interval [{lower}, {upper}] with exclusive bounds is empty. Widen it or keep the bounds inclusive.",
                nameof(function));
        }
        var result = ConnectedStreams<T1, T2>.TransformTwoInputs<T1, T2, TOut>(_left.Environment, _left, _right, "IntervalJoin",
            () => new IntervalJoinOperator<TKey, T1, T2, TOut>(FunctionCopy.Of(function), key1, key2, lower, upper, lowerInclusive, upperInclusive, probe),
            Graph.TypeInfo<TKey>.Instance);
        return result;
    }
}
