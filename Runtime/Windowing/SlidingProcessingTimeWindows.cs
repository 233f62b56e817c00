using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Overlapping processing-time windows of a fixed size that start every <see cref="Slide"/> time units
/// (Flink's SlidingProcessingTimeWindows). An element belongs to about size/slide windows; the window operator keeps
/// reduce and aggregate state per slice instead of per window (see docs/windows.md).
/// </summary>
public sealed class SlidingProcessingTimeWindows : WindowAssigner<TimeWindow>
{
    private SlidingProcessingTimeWindows(long size, long slide, long offset)
    {
        Size = size;
        Slide = slide;
        Offset = offset;
    }

    /// <summary>The window size.</summary>
    public long Size { get; }

    /// <summary>The distance between the starts of consecutive windows.</summary>
    public long Slide { get; }

    /// <summary>The offset window starts are shifted by (|offset| &lt; slide).</summary>
    public long Offset { get; }

    /// <summary>Windows of <paramref name="size"/> starting every <paramref name="slide"/>, shifted by <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">size ≤ 0, slide ≤ 0 or |offset| ≥ slide.</exception>
    public static SlidingProcessingTimeWindows Of(long size, long slide, long offset = 0)
    {
        WindowArguments.CheckSliding(nameof(SlidingProcessingTimeWindows), size, slide, offset);
        return new SlidingProcessingTimeWindows(size, slide, offset);
    }

    /// <summary>Windows of <paramref name="size"/> starting every <paramref name="slide"/>, shifted by <paramref name="offset"/>.</summary>
    public static SlidingProcessingTimeWindows Of(TimeSpan size, TimeSpan slide, TimeSpan offset = default) =>
        Of(WindowArguments.Millis(size), WindowArguments.Millis(slide), WindowArguments.Millis(offset));

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<TimeWindow> windows)
    {
        TimeWindow.AddSlidingWindows(context.CurrentProcessingTime, Size, Slide, Offset, windows);
    }

    /// <inheritdoc />
    public override Trigger<T, TimeWindow> GetDefaultTrigger<T>() => ProcessingTimeTrigger<T, TimeWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => false;

    /// <inheritdoc />
    public override string ToString() => $"SlidingProcessingTimeWindows({Size}, {Slide}, offset {Offset})";
}
