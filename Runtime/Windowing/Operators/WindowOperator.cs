using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The generic window operator (Flink's WindowOperator and EvictingWindowOperator in one): assigns each element
/// to windows, keeps each window's contents in the keyed state backend with the window as namespace, asks the
/// trigger when to fire and purge, merges session windows through a <see cref="MergingWindowSet{W}"/>, and
/// removes a window's contents, trigger state and merging entry at its cleanup time (end + allowed lateness for
/// event time, end for processing time).
/// </summary>
/// <typeparam name="TKey">The key type (a constant key for WindowAll).</typeparam>
/// <typeparam name="TIn">The element type.</typeparam>
/// <typeparam name="TAcc">What a window holds: an accumulator or the element list.</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
/// <typeparam name="W">The window type.</typeparam>
internal sealed class WindowOperator<TKey, TIn, TAcc, TOut, W> : IWindowOperator<TKey, TIn, TOut, W>, IMergeFunction<W>
    where W : IWindow
{
    private readonly WindowAssigner<W> _assigner;
    private readonly MergingWindowAssigner<W>? _mergingAssigner;
    private readonly Trigger<TIn, W> _trigger;
    private readonly WindowContents<TIn, TAcc, W> _contents;
    private readonly IInternalWindowFunction<TAcc, TOut, TKey, W> _function;
    private readonly long _allowedLateness;
    private readonly OutputTag<TIn>? _lateDataTag;
    private readonly List<W> _windows = [];
    private readonly AssignerContext _assignerContext = new();
    private IWindowOperatorContext<TKey, W, TOut> _context = null!;
    private IKeyedStateBackend<TKey> _backend = null!;
    private WindowTriggerContext<TKey, W> _triggerContext = null!;
    private WindowFunctionContext<TKey, W> _functionContext = null!;
    private TimestampedCollector<TOut> _collector = null!;
    private MergingWindowSet<W>? _mergingWindows;

    public WindowOperator(
        string name, WindowAssigner<W> assigner, Trigger<TIn, W> trigger, WindowContents<TIn, TAcc, W> contents,
        IInternalWindowFunction<TAcc, TOut, TKey, W> function, long allowedLateness, OutputTag<TIn>? lateDataTag,
        IReadOnlyList<object> userFunctions)
    {
        Name = name;
        _assigner = assigner;
        _mergingAssigner = assigner as MergingWindowAssigner<W>;
        _trigger = trigger;
        _contents = contents;
        _function = function;
        _allowedLateness = allowedLateness;
        _lateDataTag = lateDataTag;
        UserFunctions = userFunctions;
    }

    public string Name { get; }

    public IRecordSerializer<W> WindowSerializer => _assigner.WindowSerializer;

    public long NumLateRecordsDropped { get; private set; }

    public IReadOnlyList<object> UserFunctions { get; }

    public void Open(IWindowOperatorContext<TKey, W, TOut> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _backend = context.KeyedStateBackend;
        _assignerContext.Operator = context;
        _contents.Open(_backend, WindowSerializer);
        _triggerContext = new WindowTriggerContext<TKey, W>(context, WindowSerializer);
        _functionContext = new WindowFunctionContext<TKey, W>(context, WindowSerializer);
        _collector = new TimestampedCollector<TOut>(context.Emit);
        if (_mergingAssigner is not null)
        {
            var state = _backend.GetListState(new ListStateDescriptor<W>("window-merging-set", WindowSerializer));
            _mergingWindows = new MergingWindowSet<W>(_mergingAssigner, state);
        }
    }

    public void ProcessElement(TKey key, TIn element, long timestamp)
    {
        _windows.Clear();
        _assigner.AssignWindows(element, timestamp, _assignerContext, _windows);
        bool skipped = true;
        if (_mergingWindows is { } mergingWindows)
        {
            mergingWindows.Load();
            foreach (var window in _windows)
            {
                var actualWindow = mergingWindows.AddWindow(window, this);
                if (IsWindowLate(actualWindow))
                {
                    mergingWindows.RetireWindow(actualWindow);
                    continue;
                }
                skipped = false;
                if (!mergingWindows.TryGetStateWindow(actualWindow, out var stateWindow))
                {
                    throw new InvalidOperationException($"window operator '{Name}': window {actualWindow} has no state window after merging.");
                }
                _contents.SetNamespace(stateWindow);
                _contents.Add(element, timestamp);
                OnElementTrigger(key, element, timestamp, actualWindow, stateWindow);
            }
            mergingWindows.Persist();
        }
        else
        {
            foreach (var window in _windows)
            {
                if (IsWindowLate(window))
                {
                    continue;
                }
                skipped = false;
                _contents.SetNamespace(window);
                _contents.Add(element, timestamp);
                OnElementTrigger(key, element, timestamp, window, window);
            }
        }
        if (skipped && IsElementLate(timestamp))
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
    }

    public void OnEventTime(TKey key, W window, long time) => OnTimer(key, window, time, eventTime: true);

    public void OnProcessingTime(TKey key, W window, long time) => OnTimer(key, window, time, eventTime: false);

    private void OnTimer(TKey key, W window, long time, bool eventTime)
    {
        var stateWindow = window;
        if (_mergingWindows is { } mergingWindows)
        {
            mergingWindows.Load();
            if (!mergingWindows.TryGetStateWindow(window, out stateWindow))
            {
                // The window merged into another one or was already cleaned; its timer is stale.
                return;
            }
        }
        _triggerContext.Window = window;
        var result = eventTime ? _trigger.OnEventTime(time, window, _triggerContext) : _trigger.OnProcessingTime(time, window, _triggerContext);
        if (result.IsFire())
        {
            EmitWindowContents(key, window, stateWindow);
        }
        if (result.IsPurge())
        {
            _contents.SetNamespace(stateWindow);
            _contents.Clear();
        }
        if (CleanupIsEventTime(window) == eventTime && time == CleanupTime(window))
        {
            ClearAllState(window, stateWindow);
        }
        _mergingWindows?.Persist();
    }

    /// <summary>Merges state, trigger state and timers when session windows merge (Flink's WindowOperator merge function).</summary>
    void IMergeFunction<W>.Merge(W mergeResult, IReadOnlyCollection<W> mergedWindows, W stateWindowResult, IReadOnlyCollection<W> mergedStateWindows)
    {
        if (_assigner.IsEventTime && CleanupTime(mergeResult) <= _context.CurrentWatermark)
        {
            throw new InvalidOperationException(
                $"window operator '{Name}': merging produced {mergeResult}, whose cleanup time is already behind the watermark " +
                $"({_context.CurrentWatermark}). A merging window assigner must not move a window's end before the watermark.");
        }
        if (!_assigner.IsEventTime && mergeResult.MaxTimestamp <= _context.CurrentProcessingTime)
        {
            throw new InvalidOperationException(
                $"window operator '{Name}': merging produced {mergeResult}, whose end is already behind the processing time " +
                $"({_context.CurrentProcessingTime}). A merging window assigner must not move a window's end into the past.");
        }
        _triggerContext.Window = mergeResult;
        _triggerContext.MergedWindows = mergedWindows;
        _trigger.OnMerge(mergeResult, _triggerContext);
        _triggerContext.MergedWindows = [];
        foreach (var merged in mergedWindows)
        {
            _triggerContext.Window = merged;
            _trigger.Clear(merged, _triggerContext);
            DeleteCleanupTimer(merged);
        }
        _contents.MergeNamespaces(stateWindowResult, mergedStateWindows);
    }

    private void OnElementTrigger(TKey key, TIn element, long timestamp, W window, W stateWindow)
    {
        _triggerContext.Window = window;
        var result = _trigger.OnElement(element, timestamp, window, _triggerContext);
        if (result.IsFire())
        {
            EmitWindowContents(key, window, stateWindow);
        }
        if (result.IsPurge())
        {
            _contents.SetNamespace(stateWindow);
            _contents.Clear();
        }
        RegisterCleanupTimer(window);
    }

    private void EmitWindowContents(TKey key, W window, W stateWindow)
    {
        _contents.SetNamespace(stateWindow);
        _functionContext.Window = window;
        if (!_contents.TryGetForFire(window, _functionContext, out var contents))
        {
            return;
        }
        _collector.Timestamp = window.MaxTimestamp;
        _function.Process(key, window, _functionContext, contents, _collector);
        _contents.SetNamespace(stateWindow);
        _contents.AfterFire(window, _functionContext);
    }

    private void ClearAllState(W window, W stateWindow)
    {
        _contents.SetNamespace(stateWindow);
        _contents.Clear();
        _triggerContext.Window = window;
        _trigger.Clear(window, _triggerContext);
        _functionContext.Window = window;
        _function.Clear(window, _functionContext);
        _mergingWindows?.RetireWindow(window);
    }

    /// <summary>A window is late when its cleanup time has passed: it was (or would have been) removed already.</summary>
    private bool IsWindowLate(W window) => _assigner.IsEventTime && CleanupTime(window) <= _context.CurrentWatermark;

    private bool IsElementLate(long timestamp) => _assigner.IsEventTime && SaturatingAdd(timestamp, _allowedLateness) <= _context.CurrentWatermark;

    private long CleanupTime(W window) => _assigner.IsEventTime ? SaturatingAdd(window.MaxTimestamp, _allowedLateness) : window.MaxTimestamp;

    /// <summary>
    /// Event-time windows are cleaned by an event-time timer; so is a window that never ends (the global window):
    /// unlike Flink, which sets no timer at the end of time, the final watermark (<see cref="long.MaxValue"/>) then
    /// frees its state when the input ends.
    /// </summary>
    private bool CleanupIsEventTime(W window) => _assigner.IsEventTime || CleanupTime(window) == long.MaxValue;

    private void RegisterCleanupTimer(W window)
    {
        long time = CleanupTime(window);
        if (CleanupIsEventTime(window))
        {
            _context.RegisterEventTimeTimer(window, time);
        }
        else
        {
            _context.RegisterProcessingTimeTimer(window, time);
        }
    }

    private void DeleteCleanupTimer(W window)
    {
        long time = CleanupTime(window);
        if (CleanupIsEventTime(window))
        {
            _context.DeleteEventTimeTimer(window, time);
        }
        else
        {
            _context.DeleteProcessingTimeTimer(window, time);
        }
    }

    internal static long SaturatingAdd(long a, long b)
    {
        long sum = a + b;
        return b > 0 && sum < a ? long.MaxValue : sum;
    }

    private sealed class AssignerContext : WindowAssignerContext
    {
        public IWindowOperatorContext<TKey, W> Operator { get; set; } = null!;

        public override long CurrentProcessingTime => Operator.CurrentProcessingTime;
    }
}
