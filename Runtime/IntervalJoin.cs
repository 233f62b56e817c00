namespace DataflowCompiler;

/// <summary>
/// Two keyed streams to join by time interval (Flink's KeyedStream.IntervalJoin); set the interval with
/// <see cref="Between(TimeSpan, TimeSpan)"/>.
/// </summary>
/// <typeparam name="TKey">The key type of both streams.</typeparam>
/// <typeparam name="T1">The left (first) stream's element type.</typeparam>
/// <typeparam name="T2">The right (second) stream's element type.</typeparam>
public sealed class IntervalJoin<TKey, T1, T2>
{
    private readonly KeyedStream<TKey, T1> _left;
    private readonly KeyedStream<TKey, T2> _right;

    internal IntervalJoin(KeyedStream<TKey, T1> left, KeyedStream<TKey, T2> right)
    {
        _left = left;
        _right = right;
    }

    /// <summary>
    /// Joins a left element at time t with the right elements of its key at times in [t + <paramref name="lowerBound"/>,
    /// t + <paramref name="upperBound"/>] (both inclusive; see <see cref="IntervalJoined{TKey, T1, T2}.LowerBoundExclusive"/>).
    /// </summary>
    public IntervalJoined<TKey, T1, T2> Between(TimeSpan lowerBound, TimeSpan upperBound) =>
        Between((long)lowerBound.TotalMilliseconds, (long)upperBound.TotalMilliseconds);

    /// <summary>The interval in milliseconds: right times in [t + <paramref name="lowerBound"/>, t + <paramref name="upperBound"/>].</summary>
    public IntervalJoined<TKey, T1, T2> Between(long lowerBound, long upperBound)
    {
        if (lowerBound > upperBound)
        {
            throw new ArgumentException(
                $"IntervalJoin: the lower bound ({lowerBound} ms) must not be greater than the upper bound ({upperBound} ms). Swap them.",
                nameof(lowerBound));
        }
        return new IntervalJoined<TKey, T1, T2>(_left, _right, lowerBound, upperBound);
    }
}
