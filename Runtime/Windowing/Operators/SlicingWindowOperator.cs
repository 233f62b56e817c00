using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// Event-time tumbling and sliding windows with a reduce or aggregate function, the assigner's default trigger
/// and no evictor, computed over slices (panes) like the slicing window operators of Flink's table runtime: time is
/// cut into slices of gcd(size, slide); each element updates one accumulator, that of its slice (namespace =
/// the slice as a <see cref="TimeWindow"/>), instead of one per window (size/slide of them). When a window fires,
/// the accumulators of its size/gcd slices are combined (merge for aggregates, reduce for reduce). A slice is
/// dropped when the last window that contains it is cleaned (end + allowed lateness), since no other window
/// can still fire with it. Results, late handling and re-firing equal those of <see cref="WindowOperator{TKey, TIn, TAcc, TOut, W}"/>
/// with the default trigger. Processing-time windows stay on the generic path: there an element processed at
/// a window's last millisecond after its timer fired opens that window again with only the new element, which
/// slices shared with later windows cannot reproduce.
/// </summary>
internal sealed class SlicingWindowOperator<TKey, TIn, TAcc, TOut> : IWindowOperator<TKey, TIn, TOut, TimeWindow>, ISliceTableCandidate<TKey, TIn, TOut>
{
    private readonly long _size;
    private readonly long _slide;
    private readonly long _offset;
    private readonly long _sliceSize;
    private readonly AccumulatorContents<TIn, TAcc, TimeWindow> _slices;
    private readonly IInternalWindowFunction<TAcc, TOut, TKey, TimeWindow> _function;
    private readonly long _allowedLateness;
    private readonly OutputTag<TIn>? _lateDataTag;
    private IWindowOperatorContext<TKey, TimeWindow, TOut> _context = null!;
    private IKeyedStateBackend<TKey> _backend = null!;
    private WindowFunctionContext<TKey, TimeWindow> _functionContext = null!;
    private TimestampedCollector<TOut> _collector = null!;

    public SlicingWindowOperator(
        string name, long size, long slide, long offset, AccumulatorContents<TIn, TAcc, TimeWindow> slices,
        IInternalWindowFunction<TAcc, TOut, TKey, TimeWindow> function, long allowedLateness, OutputTag<TIn>? lateDataTag,
        IReadOnlyList<object> userFunctions)
    {
        Name = name;
        _size = size;
        _slide = slide;
        _offset = offset;
        _sliceSize = WindowArguments.SliceSize(size, slide);
        _slices = slices;
        _function = function;
        _allowedLateness = allowedLateness;
        _lateDataTag = lateDataTag;
        UserFunctions = userFunctions;
    }

    public string Name { get; }

    /// <summary>
    /// The same windows on a <see cref="WindowSliceTable{TKey, TIn, TAcc, TAgg}"/> (the caller checked that the keys are raw
    /// bytes); null with allowed lateness, whose re-firing stays here.
    /// </summary>
    public DataflowCompiler.Operators.StreamOperator? CreateSliceTableOperator(Func<TIn, TKey> keySelector, WindowStateProbe? probe) =>
        _allowedLateness != 0
            ? null
            : new SliceTableWindowOperator<TKey, TIn, TAcc, TOut>(Name, _size, _slide, _offset, _slices, _function, _lateDataTag, UserFunctions, keySelector, probe);

    public IRecordSerializer<TimeWindow> WindowSerializer => TimeWindowSerializer.Instance;

    public long NumLateRecordsDropped { get; private set; }

    public IReadOnlyList<object> UserFunctions { get; }

    public void Open(IWindowOperatorContext<TKey, TimeWindow, TOut> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _backend = context.KeyedStateBackend;
        _slices.Open(_backend, WindowSerializer);
        _functionContext = new WindowFunctionContext<TKey, TimeWindow>(context, WindowSerializer);
        _collector = new TimestampedCollector<TOut>(context.Emit);
    }

    public void ProcessElement(TKey key, TIn element, long timestamp)
    {
        WindowArguments.CheckTimestamp(timestamp, Name);
        long time = timestamp;
        long lastStart = TimeWindow.GetWindowStartWithOffset(time, _offset, _slide);
        long watermark = _context.CurrentWatermark;
        // The element's windows are [start, start + size) for start = lastStart, lastStart - slide, … > time - size.
        // None when slide > size and the element falls into a gap; all late when the last one is.
        if (lastStart + _size <= time || CleanupTime(lastStart + _size - 1) <= watermark)
        {
            if (WindowOperator<TKey, TIn, TAcc, TOut, TimeWindow>.SaturatingAdd(time, _allowedLateness) <= watermark)
            {
                if (_lateDataTag is not null)
                {
                    _context.EmitSide(_lateDataTag, element, timestamp);
                }
                else
                {
                    NumLateRecordsDropped++;
                }
            }
            return;
        }
        long sliceStart = TimeWindow.GetWindowStartWithOffset(time, _offset, _sliceSize);
        _slices.SetNamespace(new TimeWindow(sliceStart, sliceStart + _sliceSize));
        // Every window of the slice registers its timers with the slice's first element: the windows of later
        // elements of the slice are the same (minus those that became late), so their timers already exist.
        bool firstOfSlice = _slices.AddToWindow(element);
        bool mayRefire = time <= watermark;
        if (!firstOfSlice && !mayRefire)
        {
            return;
        }
        // The windows that also hold the previous slice (those starting at or before it) got their timers with that
        // slice's first element, if it has one: it registered every window of its own that was not late then, and
        // those not late now are still pending. So a key with data in consecutive slices registers one window per
        // slice instead of size/slide (each a lookup in the timer index). Empty means never filled, or dropped with
        // its last window, after which every window holding it is late and skipped below.
        long registeredUpTo = long.MinValue;
        if (firstOfSlice && _size > _sliceSize)
        {
            long previousStart = sliceStart - _sliceSize;
            _slices.SetNamespace(new TimeWindow(previousStart, sliceStart));
            if (!_slices.IsEmpty)
            {
                registeredUpTo = previousStart;
            }
        }
        for (long start = lastStart; start > time - _size; start -= _slide)
        {
            var window = new TimeWindow(start, start + _size);
            long cleanupTime = CleanupTime(window.MaxTimestamp);
            if (cleanupTime <= watermark)
            {
                continue;
            }
            if (window.MaxTimestamp <= watermark)
            {
                // Late but within the allowed lateness: fire again with the element (EventTimeTrigger's rule).
                FireWindow(key, window);
            }
            else if (firstOfSlice && start > registeredUpTo)
            {
                _context.RegisterEventTimeTimer(window, window.MaxTimestamp);
            }
            if (firstOfSlice && start > registeredUpTo && cleanupTime != window.MaxTimestamp)
            {
                // Without allowed lateness the firing timer is the cleanup timer (OnEventTime does both).
                _context.RegisterEventTimeTimer(window, cleanupTime);
            }
        }
    }

    /// <summary>Processing-time timers are never registered by this operator.</summary>
    public void OnProcessingTime(TKey key, TimeWindow window, long time)
    {
    }

    public void OnEventTime(TKey key, TimeWindow window, long time)
    {
        if (time == window.MaxTimestamp)
        {
            FireWindow(key, window);
        }
        if (time == CleanupTime(window.MaxTimestamp))
        {
            CleanupWindow(window);
        }
    }

    private void FireWindow(TKey key, TimeWindow window)
    {
        bool any = false;
        TAcc combined = default!;
        for (long sliceStart = window.Start; sliceStart < window.End; sliceStart += _sliceSize)
        {
            _slices.SetNamespace(new TimeWindow(sliceStart, sliceStart + _sliceSize));
            if (_slices.TryGet(out var accumulator))
            {
                combined = any ? _slices.Combine(combined, accumulator) : accumulator;
                any = true;
            }
        }
        if (!any)
        {
            return;
        }
        _functionContext.Window = window;
        _collector.Timestamp = window.MaxTimestamp;
        _function.Process(key, window, _functionContext, combined, _collector);
    }

    /// <summary>
    /// Drops the slices whose last window is <paramref name="window"/>: those starting in
    /// [start, start + min(slide, size)). Earlier windows containing them were cleaned before.
    /// </summary>
    private void CleanupWindow(TimeWindow window)
    {
        long end = window.Start + Math.Min(_slide, _size);
        for (long sliceStart = window.Start; sliceStart < end; sliceStart += _sliceSize)
        {
            _slices.SetNamespace(new TimeWindow(sliceStart, sliceStart + _sliceSize));
            _slices.Clear();
        }
        _functionContext.Window = window;
        _function.Clear(window, _functionContext);
    }

    private long CleanupTime(long maxTimestamp) => WindowOperator<TKey, TIn, TAcc, TOut, TimeWindow>.SaturatingAdd(maxTimestamp, _allowedLateness);
}
