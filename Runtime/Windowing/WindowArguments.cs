namespace DataflowCompiler.Windowing;

/// <summary>Argument checks shared by the assigners, triggers and evictors, with messages that say the fix.</summary>
internal static class WindowArguments
{
    /// <summary>The slice (pane) length of windows of <paramref name="size"/> every <paramref name="slide"/>: their gcd.</summary>
    public static long SliceSize(long size, long slide)
    {
        while (slide != 0)
        {
            (size, slide) = (slide, size % slide);
        }
        return size;
    }

    public static void CheckTumbling(string assigner, long size, long offset)
    {
        CheckPositive(assigner, "size", size);
        if (offset <= -size || offset >= size)
        {
            throw new ArgumentException(
                $"{assigner}: the offset must satisfy |offset| < size, but offset is {offset} and size is {size}. " +
                "Use an offset between -(size - 1) and size - 1.", nameof(offset));
        }
    }

    public static void CheckSliding(string assigner, long size, long slide, long offset)
    {
        CheckPositive(assigner, "size", size);
        CheckPositive(assigner, "slide", slide);
        if (offset <= -slide || offset >= slide)
        {
            throw new ArgumentException(
                $"{assigner}: the offset must satisfy |offset| < slide, but offset is {offset} and slide is {slide}. " +
                "Use an offset between -(slide - 1) and slide - 1.", nameof(offset));
        }
    }

    public static void CheckPositive(string owner, string what, long value)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(what, value, $"{owner}: the {what} must be positive (> 0), but it is {value}.");
        }
    }

    public static long Millis(TimeSpan span) => (long)span.TotalMilliseconds;

    public static void CheckTimestamp(long timestamp, string assigner)
    {
        if (timestamp == long.MinValue)
        {
            throw new InvalidOperationException(
                $"{assigner}: the record has no timestamp (long.MinValue). Event-time windows need timestamps: " +
                "assign timestamps and watermarks before the window, or use a processing-time assigner.");
        }
    }
}
