namespace DataflowCompiler.Windowing;

/// <summary>
/// A window over time: <see cref="Start"/> inclusive, <see cref="End"/> exclusive, so
/// <see cref="MaxTimestamp"/> is <c>End - 1</c> (Flink's TimeWindow).
/// </summary>
public readonly struct TimeWindow : IWindow, IEquatable<TimeWindow>, IComparable<TimeWindow>
{
    /// <param name="start">First timestamp of the window (inclusive).</param>
    /// <param name="end">End of the window (exclusive); must not be smaller than <paramref name="start"/>.</param>
    public TimeWindow(long start, long end)
    {
        if (end < start)
        {
            throw new ArgumentException($"A time window's end ({end}) must not be before its start ({start}).", nameof(end));
        }
        Start = start;
        End = end;
    }

    /// <summary>First timestamp of the window (inclusive).</summary>
    public long Start { get; }

    /// <summary>End of the window (exclusive).</summary>
    public long End { get; }

    /// <inheritdoc />
    public long MaxTimestamp => End - 1;

    /// <summary>True when the two windows overlap or touch (Flink's rule, so session windows whose gaps meet merge).</summary>
    public bool Intersects(TimeWindow other) => Start <= other.End && End >= other.Start;

    /// <summary>The smallest window that covers both windows.</summary>
    public TimeWindow Cover(TimeWindow other) => new(Math.Min(Start, other.Start), Math.Max(End, other.End));

    /// <summary>
    /// The start of the window of size <paramref name="windowSize"/>, shifted by <paramref name="offset"/>, that
    /// contains <paramref name="timestamp"/>; correct for negative timestamps and offsets (Flink's
    /// TimeWindow.getWindowStartWithOffset).
    /// </summary>
    public static long GetWindowStartWithOffset(long timestamp, long offset, long windowSize)
    {
        if (windowSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, "The window size must be positive.");
        }
        long remainder = (timestamp - offset) % windowSize;
        return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
    }

    /// <summary>Adds every window of <paramref name="size"/>, starting every <paramref name="slide"/> (shifted by <paramref name="offset"/>), that contains <paramref name="time"/>.</summary>
    public static void AddSlidingWindows(long time, long size, long slide, long offset, ICollection<TimeWindow> windows)
    {
        long lastStart = GetWindowStartWithOffset(time, offset, slide);
        for (long start = lastStart; start > time - size; start -= slide)
        {
            windows.Add(new TimeWindow(start, start + size));
        }
    }

    /// <summary>
    /// Merges overlapping (or touching) windows, as session window assigners do: calls
    /// <paramref name="merge"/> once per group of more than one window with the group and the window covering it.
    /// </summary>
    public static void MergeWindows(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyCollection<TimeWindow>, TimeWindow> merge)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(merge);
        var sorted = new List<TimeWindow>(windows);
        sorted.Sort();
        List<TimeWindow>? group = null;
        var cover = default(TimeWindow);
        foreach (var candidate in sorted)
        {
            if (group is not null && cover.Intersects(candidate))
            {
                cover = cover.Cover(candidate);
                group.Add(candidate);
                continue;
            }
            if (group is { Count: > 1 })
            {
                merge(group, cover);
            }
            group = [candidate];
            cover = candidate;
        }
        if (group is { Count: > 1 })
        {
            merge(group, cover);
        }
    }

    /// <inheritdoc />
    public bool Equals(TimeWindow other) => Start == other.Start && End == other.End;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TimeWindow other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Start, End);

    /// <summary>Orders by start, then end.</summary>
    public int CompareTo(TimeWindow other)
    {
        int byStart = Start.CompareTo(other.Start);
        return byStart != 0 ? byStart : End.CompareTo(other.End);
    }

    /// <inheritdoc />
    public override string ToString() => $"TimeWindow[{Start}, {End})";

    public static bool operator ==(TimeWindow left, TimeWindow right) => left.Equals(right);

    public static bool operator !=(TimeWindow left, TimeWindow right) => !left.Equals(right);
}
