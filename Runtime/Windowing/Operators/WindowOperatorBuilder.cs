using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// Builds the window operator for a windowed stream (Flink's WindowOperatorBuilder): the assigner, an optional
/// trigger, evictor, allowed lateness and late-data tag, then the function. Picks the
/// <see cref="SlicingWindowOperator{TKey, TIn, TAcc, TOut}"/> for event-time tumbling and sliding windows with a reduce or
/// aggregate function, the default trigger and no evictor; the generic <see cref="WindowOperator{TKey, TIn, TAcc, TOut, W}"/>
/// otherwise. Argument errors name the operator and the fix.
/// </summary>
internal sealed class WindowOperatorBuilder<TIn, TKey, W>
    where W : IWindow
{
    private readonly WindowAssigner<W> _assigner;
    private readonly string _name;
    private Trigger<TIn, W>? _trigger;
    private IEvictor<TIn, W>? _evictor;
    private long _allowedLateness;
    private OutputTag<TIn>? _lateDataTag;
    private IRecordSerializer<TIn>? _elementSerializer;
    private bool _slicingEnabled = true;

    public WindowOperatorBuilder(WindowAssigner<W> assigner, string name = "Window")
    {
        ArgumentNullException.ThrowIfNull(assigner);
        ArgumentNullException.ThrowIfNull(name);
        _assigner = assigner;
        _name = name;
    }

    /// <summary>Replaces the assigner's default trigger.</summary>
    public WindowOperatorBuilder<TIn, TKey, W> Trigger(Trigger<TIn, W> trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (_assigner is MergingWindowAssigner<W> && !trigger.CanMerge)
        {
            throw new ArgumentException(
                $"window operator '{_name}': the trigger {trigger} cannot merge windows, but {_assigner} merges them. " +
                "Use a trigger whose CanMerge is true (and that implements OnMerge).", nameof(trigger));
        }
        _trigger = trigger;
        return this;
    }

    /// <summary>Adds an evictor: the window keeps all elements and the function runs over what the evictor leaves.</summary>
    public WindowOperatorBuilder<TIn, TKey, W> Evictor(IEvictor<TIn, W> evictor)
    {
        ArgumentNullException.ThrowIfNull(evictor);
        _evictor = evictor;
        return this;
    }

    /// <summary>Keeps event-time windows for <paramref name="lateness"/> after their end, re-firing for late elements.</summary>
    public WindowOperatorBuilder<TIn, TKey, W> AllowedLateness(long lateness)
    {
        if (lateness < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lateness), lateness, $"window operator '{_name}': the allowed lateness must not be negative.");
        }
        if (lateness > 0 && !_assigner.IsEventTime)
        {
            throw new ArgumentException(
                $"window operator '{_name}': allowed lateness applies to event-time windows only, but {_assigner} is not event-time. " +
                "Remove AllowedLateness or use an event-time assigner.", nameof(lateness));
        }
        _allowedLateness = lateness;
        return this;
    }

    /// <summary>Sends elements that arrive after all their windows were cleaned to the side output <paramref name="tag"/>.</summary>
    public WindowOperatorBuilder<TIn, TKey, W> SideOutputLateData(OutputTag<TIn> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        _lateDataTag = tag;
        return this;
    }

    /// <summary>The element serializer for windows that keep elements (process and evicting windows, reduce state); null resolves it from the registry.</summary>
    public WindowOperatorBuilder<TIn, TKey, W> ElementSerializer(IRecordSerializer<TIn>? serializer)
    {
        _elementSerializer = serializer;
        return this;
    }

    /// <summary>Forces the generic per-window path even where slicing applies (tests and benchmarks compare both).</summary>
    public WindowOperatorBuilder<TIn, TKey, W> DisableSlicing()
    {
        _slicingEnabled = false;
        return this;
    }

    private Trigger<TIn, W> EffectiveTrigger => _trigger ?? _assigner.GetDefaultTrigger<TIn>();

    /// <summary>Reduces each window incrementally with <paramref name="reduce"/>.</summary>
    public IWindowOperator<TKey, TIn, TIn, W> Reduce(IReduceFunction<TIn> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        return Reduce(reduce.Reduce, new PassThroughWindowFunction<TIn, TKey, W>(), [reduce]);
    }

    /// <summary>Reduces each window incrementally with <paramref name="reduce"/>.</summary>
    public IWindowOperator<TKey, TIn, TIn, W> Reduce(Func<TIn, TIn, TIn> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        return Reduce(reduce, new PassThroughWindowFunction<TIn, TKey, W>(), [reduce]);
    }

    /// <summary>Reduces each window incrementally, then calls <paramref name="function"/> with the single result.</summary>
    public IWindowOperator<TKey, TIn, TOut, W> Reduce<TOut>(IReduceFunction<TIn> reduce, ProcessWindowFunction<TIn, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        ArgumentNullException.ThrowIfNull(function);
        return Reduce(reduce.Reduce, new InternalSingleValueProcessWindowFunction<TIn, TOut, TKey, W>(function), [reduce, function]);
    }

    /// <summary>Aggregates each window incrementally with <paramref name="aggregate"/>.</summary>
    public IWindowOperator<TKey, TIn, TOut, W> Aggregate<TAcc, TOut>(IAggregateFunction<TIn, TAcc, TOut> aggregate, IRecordSerializer<TAcc>? accumulatorSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        return Aggregate(aggregate, new PassThroughWindowFunction<TOut, TKey, W>(), accumulatorSerializer, [aggregate]);
    }

    /// <summary>Aggregates each window incrementally, then calls <paramref name="function"/> with the single result.</summary>
    public IWindowOperator<TKey, TIn, TOut, W> Aggregate<TAcc, TRes, TOut>(
        IAggregateFunction<TIn, TAcc, TRes> aggregate, ProcessWindowFunction<TRes, TOut, TKey, W> function, IRecordSerializer<TAcc>? accumulatorSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(function);
        return Aggregate(aggregate, new InternalSingleValueProcessWindowFunction<TRes, TOut, TKey, W>(function), accumulatorSerializer, [aggregate, function]);
    }

    /// <summary>Calls <paramref name="function"/> with all elements of each window (kept in list state).</summary>
    public IWindowOperator<TKey, TIn, TOut, W> Process<TOut>(ProcessWindowFunction<TIn, TOut, TKey, W> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Generic(new ListContents<TIn, W>(_elementSerializer, _evictor), new InternalIterableProcessWindowFunction<TIn, TOut, TKey, W>(function), [function]);
    }

    private IWindowOperator<TKey, TIn, TOut, W> Reduce<TOut>(Func<TIn, TIn, TIn> reduce, IInternalWindowFunction<TIn, TOut, TKey, W> function, object[] userFunctions)
    {
        if (_evictor is not null)
        {
            var folding = new FoldingWindowFunction<TIn, (bool, TIn), TIn, TOut, TKey, W>(new ReduceAggregateFunction<TIn>(reduce), function);
            return Generic(new ListContents<TIn, W>(_elementSerializer, _evictor), folding, userFunctions);
        }
        var contents = new ReduceContents<TIn, W>(reduce, _elementSerializer);
        return TrySlicing(contents, function, userFunctions) ?? Generic(contents, function, userFunctions);
    }

    private IWindowOperator<TKey, TIn, TOut, W> Aggregate<TAcc, TRes, TOut>(
        IAggregateFunction<TIn, TAcc, TRes> aggregate, IInternalWindowFunction<TRes, TOut, TKey, W> next, IRecordSerializer<TAcc>? accumulatorSerializer,
        object[] userFunctions)
    {
        if (_evictor is not null)
        {
            var folding = new FoldingWindowFunction<TIn, TAcc, TRes, TOut, TKey, W>(aggregate, next);
            return Generic(new ListContents<TIn, W>(_elementSerializer, _evictor), folding, userFunctions);
        }
        var contents = new AggregateContents<TIn, TAcc, TRes, W>(aggregate, accumulatorSerializer);
        var function = new AggregateResultWindowFunction<TIn, TAcc, TRes, TOut, TKey, W>(aggregate, next);
        return TrySlicing(contents, function, userFunctions) ?? Generic(contents, function, userFunctions);
    }

    private WindowOperator<TKey, TIn, TAcc, TOut, W> Generic<TAcc, TOut>(
        WindowContents<TIn, TAcc, W> contents, IInternalWindowFunction<TAcc, TOut, TKey, W> function, object[] userFunctions) =>
        new(_name, _assigner, EffectiveTrigger, contents, function, _allowedLateness, _lateDataTag, userFunctions);

    /// <summary>The slicing operator when it applies (tumbling or sliding assigner, default trigger, no evictor); otherwise null.</summary>
    private IWindowOperator<TKey, TIn, TOut, W>? TrySlicing<TAcc, TOut>(
        AccumulatorContents<TIn, TAcc, W> contents, IInternalWindowFunction<TAcc, TOut, TKey, W> function, object[] userFunctions)
    {
        if (!_slicingEnabled || _trigger is not null || _evictor is not null || typeof(W) != typeof(TimeWindow))
        {
            return null;
        }
        // Event time only: see SlicingWindowOperator for why processing-time windows stay generic.
        (long size, long slide, long offset) = _assigner switch
        {
            TumblingEventTimeWindows t => (t.Size, t.Size, t.Offset),
            SlidingEventTimeWindows s => (s.Size, s.Slide, s.Offset),
            _ => (0L, 0L, 0L),
        };
        if (size == 0)
        {
            return null;
        }
        // W is TimeWindow here, so these casts are identity conversions.
        var slices = (AccumulatorContents<TIn, TAcc, TimeWindow>)(object)contents;
        var timeFunction = (IInternalWindowFunction<TAcc, TOut, TKey, TimeWindow>)(object)function;
        var slicing = new SlicingWindowOperator<TKey, TIn, TAcc, TOut>(
            _name, size, slide, offset, slices, timeFunction, _allowedLateness, _lateDataTag, userFunctions);
        return (IWindowOperator<TKey, TIn, TOut, W>)(object)slicing;
    }
}
