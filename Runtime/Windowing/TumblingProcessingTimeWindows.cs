using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Fixed-size, non-overlapping processing-time windows <c>[offset + k·size, offset + (k+1)·size)</c>
/// (Flink's TumblingProcessingTimeWindows).
/// </summary>
public sealed class TumblingProcessingTimeWindows : WindowAssigner<TimeWindow>
{
    private TumblingProcessingTimeWindows(long size, long offset)
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
    public static TumblingProcessingTimeWindows Of(long size, long offset = 0)
    {
        WindowArguments.CheckTumbling(nameof(TumblingProcessingTimeWindows), size, offset);
        return new TumblingProcessingTimeWindows(size, offset);
    }

    /// <summary>Windows of <paramref name="size"/>, shifted by <paramref name="offset"/>.</summary>
    public static TumblingProcessingTimeWindows Of(TimeSpan size, TimeSpan offset = default) =>
        Of(WindowArguments.Millis(size), WindowArguments.Millis(offset));

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<TimeWindow> windows)
    {
        long start = TimeWindow.GetWindowStartWithOffset(context.CurrentProcessingTime, Offset, Size);
        windows.Add(new TimeWindow(start, start + Size));
    }

    /// <inheritdoc />
    public override Trigger<T, TimeWindow> GetDefaultTrigger<T>() => ProcessingTimeTrigger<T, TimeWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => false;

    /// <inheritdoc />
    public override string ToString() => $"TumblingProcessingTimeWindows({Size}, offset {Offset})";
}
