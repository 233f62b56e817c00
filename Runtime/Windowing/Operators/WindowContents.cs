using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.State.Binary;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The contents of a window (or slice) in the keyed state backend, with the window as namespace: an
/// accumulator for reduce and aggregate, the element list for process windows and evictors (Flink's window
/// state: an AppendingState with mergeNamespaces).
/// </summary>
internal abstract class WindowContents<TIn, TAcc, W>
    where W : IWindow
{
    protected const string StateName = "window-contents";

    protected IRecordSerializer<W> WindowSerializer { get; private set; } = null!;

    /// <summary>Creates the state in <paramref name="backend"/>.</summary>
    public void Open(IKeyedStateStore backend, IRecordSerializer<W> windowSerializer)
    {
        WindowSerializer = windowSerializer;
        OpenState(backend);
    }

    protected abstract void OpenState(IKeyedStateStore backend);

    /// <summary>The state object, for namespace switching.</summary>
    protected abstract IInternalKeyedState InternalState { get; }

    /// <summary>Scopes the following calls to <paramref name="window"/> (for the backend's current key).</summary>
    public void SetNamespace(W window) => InternalState.SetCurrentNamespace(window, WindowSerializer);

    /// <summary>Adds an element to the current window.</summary>
    public abstract void Add(TIn value, long timestamp);

    /// <summary>True when the current window holds nothing.</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>Drops the current window's contents.</summary>
    public abstract void Clear();

    /// <summary>Reads the current window's contents; false when it is empty.</summary>
    public abstract bool TryGet(out TAcc contents);

    /// <summary>Reads the contents for firing <paramref name="window"/> (an evicting list evicts before here).</summary>
    public virtual bool TryGetForFire(W window, EvictorContext context, out TAcc contents) => TryGet(out contents);

    /// <summary>Called after the window function ran on the contents of <paramref name="window"/>.</summary>
    public virtual void AfterFire(W window, EvictorContext context)
    {
    }

    /// <summary>Moves the contents of every window in <paramref name="sources"/> into <paramref name="target"/>.</summary>
    public abstract void MergeNamespaces(W target, IReadOnlyCollection<W> sources);
}

/// <summary>
/// One accumulator per window, combined on merge (reduce and aggregate windows; slices). On the binary backend an
/// element is folded in with one hash-table probe (<see cref="BinaryValueState{T}.TryGetForUpdate"/>, then a write in
/// place) instead of the three of HasValue, Value and Update.
/// </summary>
internal abstract class AccumulatorContents<TIn, TAcc, W> : WindowContents<TIn, TAcc, W>
    where W : IWindow
{
    private readonly IRecordSerializer<TAcc>? _serializer;
    private IValueState<TAcc> _state = null!;
    private IInternalKeyedState _internal = null!;
    private BinaryValueState<TAcc>? _binary;

    protected AccumulatorContents(IRecordSerializer<TAcc>? serializer) => _serializer = serializer;

    /// <summary>The accumulator serializer given to the builder; null resolves it from the registry.</summary>
    internal IRecordSerializer<TAcc>? Serializer => _serializer;

    /// <summary>The accumulator that holds just <paramref name="value"/> (outside the backend: the slice table).</summary>
    internal TAcc Start(TIn value) => Accumulate(default!, false, value);

    /// <summary>Folds <paramref name="value"/> into <paramref name="accumulator"/> (outside the backend: the slice table).</summary>
    internal TAcc Fold(TAcc accumulator, TIn value) => Accumulate(accumulator, true, value);

    protected override IInternalKeyedState InternalState => _internal;

    protected override void OpenState(IKeyedStateStore backend)
    {
        _state = backend.GetValueState(new ValueStateDescriptor<TAcc>(StateName, default!, _serializer));
        _internal = (IInternalKeyedState)_state;
        _binary = _state as BinaryValueState<TAcc>;
    }

    /// <summary>Folds <paramref name="value"/> into the accumulator (or starts one when <paramref name="hasAccumulator"/> is false).</summary>
    protected abstract TAcc Accumulate(TAcc accumulator, bool hasAccumulator, TIn value);

    /// <summary>Combines two accumulators (merge of sessions, combination of slices).</summary>
    public abstract TAcc Combine(TAcc a, TAcc b);

    public override void Add(TIn value, long timestamp) => AddToWindow(value);

    /// <summary>Folds <paramref name="value"/> into the current window's accumulator; true when the window was empty before.</summary>
    public bool AddToWindow(TIn value)
    {
        if (_binary is { } binary)
        {
            bool found = binary.TryGetForUpdate(out var accumulator);
            binary.UpdateFound(Accumulate(accumulator, found, value));
            return !found;
        }
        bool has = _state.HasValue;
        _state.Update(Accumulate(has ? _state.Value() : default!, has, value));
        return !has;
    }

    public override bool IsEmpty => !_state.HasValue;

    public override void Clear() => _state.Clear();

    public override bool TryGet(out TAcc contents)
    {
        if (_binary is { } binary)
        {
            return binary.TryGetForUpdate(out contents);
        }
        if (!_state.HasValue)
        {
            contents = default!;
            return false;
        }
        contents = _state.Value();
        return true;
    }

    public override void MergeNamespaces(W target, IReadOnlyCollection<W> sources)
    {
        bool any = false;
        TAcc merged = default!;
        foreach (var source in sources)
        {
            SetNamespace(source);
            if (TryGet(out var value))
            {
                merged = any ? Combine(merged, value) : value;
                any = true;
                _state.Clear();
            }
        }
        SetNamespace(target);
        if (TryGet(out var existing))
        {
            merged = any ? Combine(existing, merged) : existing;
            any = true;
        }
        if (any)
        {
            _state.Update(merged);
        }
    }
}

/// <summary>Reduce windows: the accumulator is the reduced element.</summary>
internal sealed class ReduceContents<T, W>(Func<T, T, T> reduce, IRecordSerializer<T>? serializer) : AccumulatorContents<T, T, W>(serializer)
    where W : IWindow
{
    protected override T Accumulate(T accumulator, bool hasAccumulator, T value) => hasAccumulator ? reduce(accumulator, value) : value;

    public override T Combine(T a, T b) => reduce(a, b);
}

/// <summary>Aggregate windows: the accumulator of an <see cref="Functions.IAggregateFunction{TIn, TAcc, TOut}"/>.</summary>
internal sealed class AggregateContents<TIn, TAcc, TOut, W>(Functions.IAggregateFunction<TIn, TAcc, TOut> aggregate, IRecordSerializer<TAcc>? serializer)
    : AccumulatorContents<TIn, TAcc, W>(serializer)
    where W : IWindow
{
    protected override TAcc Accumulate(TAcc accumulator, bool hasAccumulator, TIn value) =>
        aggregate.Add(value, hasAccumulator ? accumulator : aggregate.CreateAccumulator());

    public override TAcc Combine(TAcc a, TAcc b) => aggregate.Merge(a, b);
}

/// <summary>
/// Process windows and evicting windows: every element with its timestamp, in arrival order. With an evictor,
/// firing evicts before and after the function and writes the remaining elements back (Flink's EvictingWindowOperator).
/// </summary>
internal sealed class ListContents<T, W>(IRecordSerializer<T>? elementSerializer, IEvictor<T, W>? evictor) : WindowContents<T, IEnumerable<T>, W>
    where W : IWindow
{
    private IListState<(long Timestamp, T Value)> _state = null!;
    private IInternalKeyedState _internal = null!;
    private List<TimestampedValue<T>>? _evicting;
    private int _sizeAtFire;

    protected override IInternalKeyedState InternalState => _internal;

    protected override void OpenState(IKeyedStateStore backend)
    {
        var serializer = elementSerializer is null
            ? null
            : new ValueTupleSerializer<long, T>(new UnmanagedSerializer<long>(), elementSerializer);
        _state = backend.GetListState(new ListStateDescriptor<(long, T)>(StateName, serializer));
        _internal = (IInternalKeyedState)_state;
    }

    public override void Add(T value, long timestamp) => _state.Add((timestamp, value));

    public override bool IsEmpty => _state.Get().Count == 0;

    public override void Clear() => _state.Clear();

    public override bool TryGet(out IEnumerable<T> contents)
    {
        var list = _state.Get();
        if (list.Count == 0)
        {
            contents = [];
            return false;
        }
        var values = new T[list.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = list[i].Value;
        }
        contents = values;
        return true;
    }

    public override bool TryGetForFire(W window, EvictorContext context, out IEnumerable<T> contents)
    {
        if (evictor is null)
        {
            return TryGet(out contents);
        }
        var stored = _state.Get();
        if (stored.Count == 0)
        {
            contents = [];
            return false;
        }
        var elements = new List<TimestampedValue<T>>(stored.Count);
        foreach (var (timestamp, value) in stored)
        {
            elements.Add(new TimestampedValue<T>(value, timestamp));
        }
        _sizeAtFire = elements.Count;
        evictor.EvictBefore(elements, _sizeAtFire, window, context);
        _evicting = elements;
        var values = new T[elements.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = elements[i].Value;
        }
        contents = values;
        return true;
    }

    public override void AfterFire(W window, EvictorContext context)
    {
        if (evictor is null || _evicting is null)
        {
            return;
        }
        var elements = _evicting;
        _evicting = null;
        evictor.EvictAfter(elements, _sizeAtFire, window, context);
        var remaining = new (long, T)[elements.Count];
        for (int i = 0; i < remaining.Length; i++)
        {
            remaining[i] = (elements[i].Timestamp, elements[i].Value);
        }
        _state.Update(remaining);
    }

    public override void MergeNamespaces(W target, IReadOnlyCollection<W> sources)
    {
        var merged = new List<(long, T)>();
        foreach (var source in sources)
        {
            SetNamespace(source);
            var list = _state.Get();
            if (list.Count > 0)
            {
                merged.AddRange(list);
                _state.Clear();
            }
        }
        SetNamespace(target);
        if (merged.Count > 0)
        {
            _state.AddAll(merged);
        }
    }
}
