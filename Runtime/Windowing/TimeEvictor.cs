namespace DataflowCompiler.Windowing;

/// <summary>
/// Keeps the elements whose timestamp is within <see cref="WindowSize"/> of the newest element's timestamp
/// (Flink's TimeEvictor: evicts every element with timestamp ≤ max − windowSize).
/// </summary>
public sealed class TimeEvictor<T, W> : IEvictor<T, W>
    where W : IWindow
{
    private readonly bool _doEvictAfter;

    private TimeEvictor(long windowSize, bool doEvictAfter)
    {
        WindowSize = windowSize;
        _doEvictAfter = doEvictAfter;
    }

    /// <summary>The time span kept, measured back from the newest element.</summary>
    public long WindowSize { get; }

    /// <summary>Keeps the elements of the last <paramref name="windowSize"/> time units; evicts before the function runs unless <paramref name="doEvictAfter"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">windowSize ≤ 0.</exception>
    public static TimeEvictor<T, W> Of(long windowSize, bool doEvictAfter = false)
    {
        WindowArguments.CheckPositive(nameof(TimeEvictor<T, W>), "window size", windowSize);
        return new TimeEvictor<T, W>(windowSize, doEvictAfter);
    }

    /// <summary>Keeps the elements of the last <paramref name="windowSize"/>.</summary>
    public static TimeEvictor<T, W> Of(TimeSpan windowSize, bool doEvictAfter = false) => Of(WindowArguments.Millis(windowSize), doEvictAfter);

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
        if (elements.Count == 0 || !elements[0].HasTimestamp)
        {
            return;
        }
        long max = long.MinValue;
        foreach (var element in elements)
        {
            max = Math.Max(max, element.Timestamp);
        }
        long cutoff = max - WindowSize;
        for (int i = elements.Count - 1; i >= 0; i--)
        {
            if (elements[i].Timestamp <= cutoff)
            {
                elements.RemoveAt(i);
            }
        }
    }
}
