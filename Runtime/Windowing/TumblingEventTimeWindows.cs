using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Fixed-size, non-overlapping event-time windows <c>[offset + k·size, offset + (k+1)·size)</c>
/// (Flink's TumblingEventTimeWindows).
/// </summary>
public sealed class TumblingEventTimeWindows : WindowAssigner<TimeWindow>
{
    private TumblingEventTimeWindows(long size, long offset)
    {
        Size = size;
        Offset = offset;
    }

    /// <summary>The window size.</summary>
    public long Size { get; }

    /// <summary>The offset windows are shifted by (|offset| &lt; size).</summary>
    public long Offset { get; }

    /// <summary>Windows of <paramref name="size"/> time units aligned to the epoch plus <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">size ≤ 0 or |offset| ≥ size.</exception>
    public static TumblingEventTimeWindows Of(long size, long offset = 0)
    {
        WindowArguments.CheckTumbling(nameof(TumblingEventTimeWindows), size, offset);
        return new TumblingEventTimeWindows(size, offset);
    }

    /// <summary>Windows of <paramref name="size"/>, shifted by <paramref name="offset"/>.</summary>
    public static TumblingEventTimeWindows Of(TimeSpan size, TimeSpan offset = default) =>
        Of(WindowArguments.Millis(size), WindowArguments.Millis(offset));

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<TimeWindow> windows)
    {
        WindowArguments.CheckTimestamp(timestamp, nameof(TumblingEventTimeWindows));
        long start = TimeWindow.GetWindowStartWithOffset(timestamp, Offset, Size);
        windows.Add(new TimeWindow(start, start + Size));
    }

    /// <inheritdoc />
    public override Trigger<T, TimeWindow> GetDefaultTrigger<T>() => EventTimeTrigger<T, TimeWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => true;

    /// <inheritdoc />
    public override string ToString() => $"TumblingEventTimeWindows({Size}, offset {Offset})";
}
