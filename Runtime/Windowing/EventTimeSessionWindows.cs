using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Event-time session windows: each element opens <c>[timestamp, timestamp + gap)</c> and windows that overlap or
/// touch merge, so a session ends after <see cref="Gap"/> time units without elements (Flink's
/// EventTimeSessionWindows).
/// </summary>
public sealed class EventTimeSessionWindows : MergingWindowAssigner<TimeWindow>
{
    private EventTimeSessionWindows(long gap) => Gap = gap;

    /// <summary>The session gap.</summary>
    public long Gap { get; }

    /// <summary>Sessions that close after <paramref name="gap"/> time units of inactivity.</summary>
    /// <exception cref="ArgumentOutOfRangeException">gap ≤ 0.</exception>
    public static EventTimeSessionWindows WithGap(long gap)
    {
        WindowArguments.CheckPositive(nameof(EventTimeSessionWindows), "gap", gap);
        return new EventTimeSessionWindows(gap);
    }

    /// <summary>Sessions that close after <paramref name="gap"/> of inactivity.</summary>
    public static EventTimeSessionWindows WithGap(TimeSpan gap) => WithGap(WindowArguments.Millis(gap));

    /// <summary>Sessions whose gap is computed per element by <paramref name="extractor"/>.</summary>
    public static DynamicEventTimeSessionWindows<T> WithDynamicGap<T>(ISessionWindowTimeGapExtractor<T> extractor) =>
        new(extractor, isEventTime: true);

    /// <summary>Sessions whose gap is computed per element by <paramref name="extractor"/>.</summary>
    public static DynamicEventTimeSessionWindows<T> WithDynamicGap<T>(Func<T, long> extractor) =>
        new(SessionGap.From(extractor), isEventTime: true);

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<TimeWindow> windows)
    {
        WindowArguments.CheckTimestamp(timestamp, nameof(EventTimeSessionWindows));
        windows.Add(new TimeWindow(timestamp, timestamp + Gap));
    }

    /// <inheritdoc />
    public override void MergeWindows(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyCollection<TimeWindow>, TimeWindow> merge) =>
        TimeWindow.MergeWindows(windows, merge);

    /// <inheritdoc />
    public override Trigger<T, TimeWindow> GetDefaultTrigger<T>() => EventTimeTrigger<T, TimeWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => true;

    /// <inheritdoc />
    public override string ToString() => $"EventTimeSessionWindows({Gap})";
}
