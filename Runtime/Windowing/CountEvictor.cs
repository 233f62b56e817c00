namespace DataflowCompiler.Windowing;

/// <summary>Keeps at most <see cref="MaxCount"/> elements of a window, evicting the oldest (Flink's CountEvictor).</summary>
public sealed class CountEvictor<T, W> : IEvictor<T, W>
    where W : IWindow
{
    private readonly bool _doEvictAfter;

    private CountEvictor(long maxCount, bool doEvictAfter)
    {
        MaxCount = maxCount;
        _doEvictAfter = doEvictAfter;
    }

    /// <summary>The number of elements kept.</summary>
    public long MaxCount { get; }

    /// <summary>Keeps the last <paramref name="maxCount"/> elements; evicts before the function runs unless <paramref name="doEvictAfter"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">maxCount ≤ 0.</exception>
    public static CountEvictor<T, W> Of(long maxCount, bool doEvictAfter = false)
    {
        WindowArguments.CheckPositive(nameof(CountEvictor<T, W>), "count", maxCount);
        return new CountEvictor<T, W>(maxCount, doEvictAfter);
    }

    /// <inheritdoc />
    public void EvictBefore(IList<TimestampedValue<T>> elements, int size, W window, EvictorContext context)
    {
        if (!_doEvictAfter)
        {
            Evict(elements);
        }
    }

    /// <inheritdoc />
    public void EvictAfter(IList<TimestampedValue<T>> elements, int size, W window, EvictorContext context)
    {
        if (_doEvictAfter)
        {
            Evict(elements);
        }
    }

    private void Evict(IList<TimestampedValue<T>> elements)
    {
        long excess = elements.Count - MaxCount;
        if (excess <= 0)
        {
            return;
        }
        if (elements is List<TimestampedValue<T>> list)
        {
            list.RemoveRange(0, (int)excess);
            return;
        }
        for (long i = 0; i < excess; i++)
        {
            elements.RemoveAt(0);
        }
    }
}
