using System.ComponentModel;
using System.Runtime.CompilerServices;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The window at the head of a fused chain: event-time tumbling or sliding windows on the slice table the interpreted
/// <c>SliceTableWindowOperator</c> uses (same settings, same late-element rules, same checkpoint format under the same
/// operator id). Created by <see cref="FusedChainContext.CreateSliceWindow{TKey, TIn, TAcc, TAgg}"/>; generated code adds
/// each record with its key and timestamp and fires the due windows when the chain's event time advances
/// (<see cref="FusedChain.OnWatermark"/>). Late records are dropped and counted in
/// <c>&lt;operator name&gt;.numLateRecordsDropped</c>, as interpreted without a late-data side output (a window with one does
/// not run fused). Not for user code.
/// </summary>
/// <typeparam name="TKey">The key type; its serializer writes the key's raw bytes.</typeparam>
/// <typeparam name="TIn">The record type.</typeparam>
/// <typeparam name="TAcc">The slice accumulator.</typeparam>
/// <typeparam name="TAgg">The generated aggregator struct.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class FusedSliceWindow<TKey, TIn, TAcc, TAgg>
    where TAgg : struct, IFusedWindowAggregator<TIn, TAcc>
{
    private readonly WindowSliceTable<TKey, TIn, TAcc, Aggregator> _table;
    private readonly string _name;
    private readonly IDisposable _state;
    private readonly Counter _lateCounter;

    internal FusedSliceWindow(string name, FusableWindow window, TAgg aggregator, Memory.Serialization.IRecordSerializer<TAcc> accumulatorSerializer,
        State.KeyGroupRange keyGroupRange, int maxParallelism, Func<WindowSliceTable<TKey, TIn, TAcc, Aggregator>, IDisposable> state, Counter lateCounter)
    {
        _name = name;
        _table = new WindowSliceTable<TKey, TIn, TAcc, Aggregator>(name, window.Size, window.Slide, window.Offset, new Aggregator(aggregator),
            accumulatorSerializer, keyGroupRange, maxParallelism);
        _state = state(_table);
        _lateCounter = lateCounter;
    }

    /// <summary>Records that arrived after all their windows fired (dropped).</summary>
    public long NumLateRecordsDropped { get; private set; }

    /// <summary>(key, slice) pairs held; zero once every window fired.</summary>
    public long EntryCount => _table.EntryCount;

    /// <summary>
    /// Adds <paramref name="value"/> of <paramref name="key"/> with event time <paramref name="timestamp"/> to its slice, or counts it
    /// as dropped when every window it belongs to has fired. Throws for a record without timestamp (<see cref="long.MinValue"/>), as
    /// the interpreted window does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(TKey key, TIn value, long timestamp)
    {
        if (timestamp == long.MinValue)
        {
            WindowArguments.CheckTimestamp(timestamp, _name);
        }
        if (_table.Add(key, value, timestamp) == SliceAddResult.Late)
        {
            NumLateRecordsDropped++;
        }
    }

    /// <summary>Starts loading the table's index slot of <paramref name="key"/> ahead of <see cref="Add"/> (a hint; see the head loop in docs/fusion.md).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(TKey key) => _table.Prefetch(key);

    /// <summary>
    /// Event time advanced to <paramref name="watermark"/>: fires every window with data whose end − 1 it reached, in end order,
    /// through <paramref name="emitter"/>, and drops what no later window needs. <see cref="long.MaxValue"/> (end of input) fires all.
    /// </summary>
    public void Fire<TEmit>(long watermark, ref TEmit emitter)
        where TEmit : struct, IFusedWindowEmitter<TKey, TAcc>
    {
        var adapter = new Emitter<TEmit> { Inner = emitter };
        try
        {
            _table.Fire(watermark, ref adapter);
        }
        finally
        {
            emitter = adapter.Inner;
        }
    }

    /// <summary>Reports the dropped late records to the job's accumulators and releases the state (called once, from the chain's Close).</summary>
    public void Close()
    {
        _lateCounter.Add(NumLateRecordsDropped);
        NumLateRecordsDropped = 0;
        _state.Dispose();
    }

    // Struct adapters from the public callbacks to the table's: generic over structs, so the JIT inlines through them.
    internal readonly struct Aggregator(TAgg inner) : ISliceAggregator<TIn, TAcc>
    {
        private readonly TAgg _inner = inner;

        public TAcc First(TIn value) => _inner.First(value);

        public TAcc Add(TAcc accumulator, TIn value) => _inner.Add(accumulator, value);

        public TAcc Merge(TAcc earlier, TAcc later) => _inner.Merge(earlier, later);
    }

    private struct Emitter<TEmit> : ISliceWindowEmitter<TKey, TAcc>
        where TEmit : struct, IFusedWindowEmitter<TKey, TAcc>
    {
        public TEmit Inner;

        public void Emit(TKey key, TimeWindow window, TAcc accumulator) => Inner.Emit(key, window, accumulator);
    }
}
