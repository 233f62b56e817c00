using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Session windows whose gap is computed per element (Flink's DynamicEventTimeSessionWindows and, with
/// <see cref="IsEventTime"/> false, DynamicProcessingTimeSessionWindows). Created by
/// <see cref="EventTimeSessionWindows.WithDynamicGap{T}(Func{T, long})"/> or
/// <see cref="ProcessingTimeSessionWindows.WithDynamicGap{T}(Func{T, long})"/>.
/// </summary>
public sealed class DynamicEventTimeSessionWindows<TElement> : MergingWindowAssigner<TimeWindow>
{
    private readonly ISessionWindowTimeGapExtractor<TElement> _extractor;
    private readonly bool _isEventTime;

    internal DynamicEventTimeSessionWindows(ISessionWindowTimeGapExtractor<TElement> extractor, bool isEventTime)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        _extractor = extractor;
        _isEventTime = isEventTime;
    }

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<TimeWindow> windows)
    {
        if (_extractor is not ISessionWindowTimeGapExtractor<T> extractor)
        {
            throw new InvalidOperationException(
                $"{nameof(DynamicEventTimeSessionWindows<TElement>)}: the gap extractor takes '{typeof(TElement).Name}' elements but the stream holds " +
                $"'{typeof(T).Name}'; use an extractor for the stream's element type.");
        }
        long gap = extractor.Extract(element);
        if (gap <= 0)
        {
            throw new InvalidOperationException($"Dynamic session gap must be positive (> 0), but the extractor returned {gap} for element '{element}'.");
        }
        long start = _isEventTime ? timestamp : context.CurrentProcessingTime;
        if (_isEventTime)
        {
            WindowArguments.CheckTimestamp(timestamp, "EventTimeSessionWindows.WithDynamicGap");
        }
        windows.Add(new TimeWindow(start, start + gap));
    }

    /// <inheritdoc />
    public override void MergeWindows(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyCollection<TimeWindow>, TimeWindow> merge) =>
        TimeWindow.MergeWindows(windows, merge);

    /// <inheritdoc />
    public override Trigger<T, TimeWindow> GetDefaultTrigger<T>() =>
        _isEventTime ? EventTimeTrigger<T, TimeWindow>.Create() : ProcessingTimeTrigger<T, TimeWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => _isEventTime;
}
