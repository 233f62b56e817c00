using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Processing-time session windows: each element opens <c>[now, now + gap)</c> and overlapping windows merge
/// (Flink's ProcessingTimeSessionWindows).
/// </summary>
public sealed class ProcessingTimeSessionWindows : MergingWindowAssigner<TimeWindow>
{
    private ProcessingTimeSessionWindows(long gap) => Gap = gap;

    /// <summary>The session gap.</summary>
    public long Gap { get; }

    /// <summary>Sessions that close after <paramref name="gap"/> time units of inactivity.</summary>
    /// <exception cref="ArgumentOutOfRangeException">gap ≤ 0.</exception>
    public static ProcessingTimeSessionWindows WithGap(long gap)
    {
        WindowArguments.CheckPositive(nameof(ProcessingTimeSessionWindows), "gap", gap);
        return new ProcessingTimeSessionWindows(gap);
    }

    /// <summary>Sessions that close after <paramref name="gap"/> of inactivity.</summary>
    public static ProcessingTimeSessionWindows WithGap(TimeSpan gap) => WithGap(WindowArguments.Millis(gap));

    /// <summary>Sessions whose gap is computed per element by <paramref name="extractor"/>.</summary>
    public static DynamicEventTimeSessionWindows<T> WithDynamicGap<T>(Func<T, long> extractor) =>
        new(SessionGap.From(extractor), isEventTime: false);

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<TimeWindow> windows)
    {
        long now = context.CurrentProcessingTime;
        windows.Add(new TimeWindow(now, now + Gap));
    }

    /// <inheritdoc />
    public override void MergeWindows(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyCollection<TimeWindow>, TimeWindow> merge) =>
        TimeWindow.MergeWindows(windows, merge);

    /// <inheritdoc />
    public override Trigger<T, TimeWindow> GetDefaultTrigger<T>() => ProcessingTimeTrigger<T, TimeWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => false;

    /// <inheritdoc />
    public override string ToString() => $"ProcessingTimeSessionWindows({Gap})";
}
