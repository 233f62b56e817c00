using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DataflowCompiler.Checkpointing;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The state of event-time tumbling and sliding windows (default trigger, no allowed lateness) for keys that are
/// their own bytes (<see cref="RawKey{TKey}"/>), laid out so that an element costs one hash probe and no
/// allocation, and firing is a sequential scan. Time is cut into slices of gcd(size, slide); every key has an
/// entry that owns a ring of R accumulator slots (slot = slice mod R, a presence bit per slot), accumulators in
/// one array at entry × R ("key-major rings"). A watermark fires every window whose end − 1 it reached, in end
/// order; each is one pass over the entries that folds the window's size/gcd slots, emits, and drops the slices
/// whose last window it was; an entry still empty at the next pass is removed (a key that comes back every window
/// keeps its entry), and all entries go when no slice is left. There are no timers: what is pending follows from
/// the slices and the watermark.
/// <para>
/// The ring covers the span of live slices over all keys; an element outside it grows R (a relayout of all
/// entries) up to <see cref="MaxRing"/>. Beyond that (far-future or far-past timestamps) the (key, slice) pair
/// goes to an overflow dictionary that takes part in firing the same way, so no timestamp is lost or misplaced.
/// </para>
/// <para>
/// Checkpoints: <see cref="ISnapshotableKeyedBackend"/> with full snapshots (the incremental flag is ignored);
/// the synchronous phase copies the arrays, the asynchronous one writes one record per (key, slice) with the key's
/// key group (Murmur3 of the key bytes, as the binary backend), so a restore at another parallelism takes its key
/// groups only.
/// </para>
/// Thread-confined to the task thread (the snapshot writer runs on any thread over its copies).
/// </summary>
/// <typeparam name="TKey">A key type whose serializer is <see cref="UnmanagedSerializer{T}"/>.</typeparam>
/// <typeparam name="TIn">The element type.</typeparam>
/// <typeparam name="TAcc">The slice accumulator (any type).</typeparam>
/// <typeparam name="TAgg">Folds and merges accumulators (a struct: no virtual call).</typeparam>
internal sealed class WindowSliceTable<TKey, TIn, TAcc, TAgg> : ISnapshotableKeyedBackend
    where TAgg : struct, ISliceAggregator<TIn, TAcc>
{
    /// <summary>The widest ring; live slices spread wider go to the overflow dictionary.</summary>
    public const int MaxRing = 256;

    private const long MaxRingSlots = 1L << 26; // entry capacity × R: no relayout beyond this, overflow instead
    private const int Magic = 0x31545753; // "SWT1"
    private const int FormatVersion = 1;
    private const byte RecordTag = 1;
    private const byte EndTag = 0;
    private static readonly bool AccumulatorHasReferences = RuntimeHelpers.IsReferenceOrContainsReferences<TAcc>();

    private TAgg _aggregator; // not readonly: calls on it must not copy it
    private readonly string _operatorName;
    private readonly long _size;
    private readonly long _slide;
    private readonly long _offset;
    private readonly long _slice;
    private readonly long _sliceOffset; // slice s starts at s × _slice + _sliceOffset
    private readonly int _windowSlices;
    private readonly int _dropSlices; // a window's first slices whose last window it is
    private readonly IRecordSerializer<TAcc> _accumulatorSerializer;

    // Entries, dense: key, presence words, accumulator ring, overflow pairs.
    private TKey[] _keys;
    private ulong[] _masks;
    private TAcc[] _accumulators;
    private int[] _overflowCounts;
    private int _count;
    // Open addressing (linear probing) key -> entry + 1; at most half full.
    private int[] _index;
    private int _indexShift;
    // The ring: R slots per entry; every present ring slice lies in [_low, _high] (empty when _low > _high), span < R.
    private int _ring;
    private int _words;
    private int[] _sliceEntries; // per slot: entries that hold it
    private long _low = long.MaxValue;
    private long _high = long.MinValue;
    // (key, slice) pairs outside the ring, and how many pairs each such slice has.
    private Dictionary<(TKey Key, long Slice), TAcc>? _overflow;
    private readonly Dictionary<long, int> _overflowSlices = [];
    // After a restore from subtasks whose watermarks differed: keys whose windows up to a later end already fired.
    private Dictionary<(TKey Key, long Unused), long>? _keyFiredUpTo;

    private long _watermark = long.MinValue;
    private long _firedUpTo = long.MinValue; // the end of the last fired window

    // The slice of the last element's timestamp (consecutive elements mostly share it).
    private long _cacheStart = 1;
    private long _cacheEnd;
    private long _cacheSlice;
    private long _cacheLastMax; // max timestamp of the last window that holds the slice
    private bool _cacheGap;

    /// <param name="operatorName">Used in error messages.</param>
    /// <param name="size">Window size (ms), &gt; 0.</param>
    /// <param name="slide">Window slide (ms), &gt; 0; equal to <paramref name="size"/> for tumbling windows.</param>
    /// <param name="offset">Window offset, as the assigner's.</param>
    /// <param name="aggregator">Folds elements and merges slices.</param>
    /// <param name="accumulatorSerializer">Writes accumulators into snapshots.</param>
    /// <param name="keyGroupRange">The key groups of this subtask (restore skips others).</param>
    /// <param name="maxParallelism">The number of key groups.</param>
    public WindowSliceTable(
        string operatorName, long size, long slide, long offset, TAgg aggregator, IRecordSerializer<TAcc> accumulatorSerializer,
        KeyGroupRange keyGroupRange, int maxParallelism)
    {
        ArgumentNullException.ThrowIfNull(accumulatorSerializer);
        if (RawKey<TKey>.Size == 0)
        {
            throw new ArgumentException($"operator '{operatorName}': the slice table needs an unmanaged key type, but '{typeof(TKey)}' holds references.");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slide);
        _operatorName = operatorName;
        _size = size;
        _slide = slide;
        _offset = offset;
        _slice = WindowArguments.SliceSize(size, slide);
        _sliceOffset = ((offset % _slice) + _slice) % _slice;
        _windowSlices = checked((int)(size / _slice));
        _dropSlices = checked((int)(Math.Min(size, slide) / _slice));
        _aggregator = aggregator;
        _accumulatorSerializer = accumulatorSerializer;
        KeyGroupRange = keyGroupRange;
        MaxParallelism = maxParallelism;
        _ring = (int)Math.Min(MaxRing, BitOperations.RoundUpToPowerOf2((uint)Math.Min(MaxRing, _windowSlices + 1)));
        _words = (_ring + 63) >> 6;
        _sliceEntries = new int[_ring];
        const int InitialCapacity = 16;
        _keys = new TKey[InitialCapacity];
        _masks = new ulong[InitialCapacity * _words];
        _accumulators = new TAcc[InitialCapacity * _ring];
        _overflowCounts = new int[InitialCapacity];
        _index = new int[InitialCapacity * 2];
        _indexShift = 64 - BitOperations.Log2((uint)_index.Length);
        _cacheEnd = 0;
    }

    public KeyGroupRange KeyGroupRange { get; }

    public int MaxParallelism { get; }

    /// <summary>Keys that hold data.</summary>
    public int KeyCount => _count;

    /// <summary>(key, slice) pairs held: zero once every window fired.</summary>
    public long EntryCount
    {
        get
        {
            long pairs = _overflow?.Count ?? 0;
            foreach (int n in _sliceEntries)
            {
                pairs += n;
            }
            return pairs;
        }
    }

    /// <summary>Slots per key (grows with the spread of live slices, up to <see cref="MaxRing"/>).</summary>
    public int RingSize => _ring;

    /// <summary>(key, slice) pairs kept outside the ring.</summary>
    public int OverflowCount => _overflow?.Count ?? 0;

    /// <summary>The last watermark <see cref="Fire"/> saw.</summary>
    public long Watermark => _watermark;

    /// <summary>
    /// Folds <paramref name="value"/> with event time <paramref name="timestamp"/> into its slice of
    /// <paramref name="key"/>, unless all its windows have fired (<see cref="SliceAddResult.Late"/>) or it falls
    /// between windows (slide &gt; size) — the rules of the generic window operator without allowed lateness.
    /// </summary>
    public SliceAddResult Add(TKey key, TIn value, long timestamp)
    {
        if (timestamp < _cacheStart || timestamp >= _cacheEnd)
        {
            CacheSliceOf(timestamp);
        }
        if (_cacheGap)
        {
            return timestamp <= _watermark ? SliceAddResult.Late : SliceAddResult.NoWindow;
        }
        if (_cacheLastMax <= _watermark || _cacheLastMax < _firedUpTo)
        {
            return SliceAddResult.Late;
        }
        long slice = _cacheSlice;
        int entry = FindOrAdd(ref key);
        if ((_overflowSlices.Count != 0 && _overflowSlices.ContainsKey(slice)) || ((slice < _low || slice > _high) && !TryWiden(slice)))
        {
            AddToOverflow(entry, slice, value);
            return SliceAddResult.Added;
        }
        int slot = (int)slice & (_ring - 1);
        ref ulong word = ref _masks[(entry * _words) + (slot >> 6)];
        ulong bit = 1UL << slot;
        ref TAcc accumulator = ref _accumulators[(entry * _ring) + slot];
        if ((word & bit) != 0)
        {
            accumulator = _aggregator.Add(accumulator, value);
        }
        else
        {
            accumulator = _aggregator.First(value);
            word |= bit;
            _sliceEntries[slot]++;
        }
        return SliceAddResult.Added;
    }

    /// <summary>
    /// Asks the CPU to start loading the index slot <paramref name="key"/> hashes to, without waiting for it: a fused
    /// window head calls this for a batch of records before adding them, so the index misses of a large key set
    /// overlap. Only a hint: it changes nothing and never faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(TKey key)
    {
        if (Sse.IsSupported)
        {
            int position = (int)(RawKey<TKey>.Hash(ref key) >> _indexShift);
            // The array may move before the hint executes; a stale address only makes the hint useless.
            Sse.Prefetch0(Unsafe.AsPointer(ref _index[position]));
        }
    }

    /// <summary>
    /// Advances event time to <paramref name="watermark"/>: fires every window with data whose end − 1 ≤
    /// <paramref name="watermark"/>, in end order (per window, keys in table order), through
    /// <paramref name="emitter"/>, and drops what no later window needs.
    /// </summary>
    public void Fire<TEmit>(long watermark, ref TEmit emitter)
        where TEmit : ISliceWindowEmitter<TKey, TAcc>
    {
        if (watermark <= _watermark)
        {
            return;
        }
        _watermark = watermark;
        while (_count > 0 && TryGetMinSlice(out long min))
        {
            long end = FirstWindowEnd(min);
            if (_firedUpTo != long.MinValue && end <= _firedUpTo)
            {
                end = _firedUpTo + _slide;
            }
            if (end - 1 > watermark)
            {
                break;
            }
            Sweep(end, ref emitter);
            _firedUpTo = end;
            TightenRing();
        }
        if (_low > _high && _overflowSlices.Count == 0 && _count > 0)
        {
            // Nothing left: forget the keys at once.
            RemoveAllEntries();
        }
        // Windows the watermark passed without data count as fired too: an element that arrives later is late for them.
        if (watermark >= long.MinValue + _size)
        {
            long lastDue = TimeWindow.GetWindowStartWithOffset(watermark - _size + 1, _offset, _slide) + _size;
            if (lastDue > _firedUpTo)
            {
                _firedUpTo = lastDue;
            }
        }
        if (_keyFiredUpTo is not null && _keyFiredUpTo.Values.All(f => f <= _firedUpTo))
        {
            _keyFiredUpTo = null;
        }
    }

    private void CacheSliceOf(long timestamp)
    {
        long sliceStart = TimeWindow.GetWindowStartWithOffset(timestamp, _offset, _slice);
        long lastStart = TimeWindow.GetWindowStartWithOffset(timestamp, _offset, _slide);
        _cacheStart = sliceStart;
        _cacheEnd = sliceStart > long.MaxValue - _slice ? long.MaxValue : sliceStart + _slice;
        _cacheSlice = FloorDiv(sliceStart, _slice);
        // The slice lies in a gap between windows (slide > size) when the last window that could hold it ends before it.
        _cacheGap = lastStart + _size <= sliceStart;
        _cacheLastMax = lastStart + _size - 1;
    }

    private long SliceStart(long slice) => (slice * _slice) + _sliceOffset;

    /// <summary>The end of the first window that holds <paramref name="slice"/> (its smallest start above slice start − size).</summary>
    private long FirstWindowEnd(long slice)
    {
        long start = TimeWindow.GetWindowStartWithOffset(SliceStart(slice) - _size, _offset, _slide) + _slide;
        return start + _size;
    }

    private bool TryGetMinSlice(out long min)
    {
        min = long.MaxValue;
        bool any = false;
        for (long s = _low; s <= _high; s++)
        {
            if (_sliceEntries[(int)s & (_ring - 1)] > 0)
            {
                min = s;
                any = true;
                break;
            }
        }
        foreach (long s in _overflowSlices.Keys)
        {
            if (s < min)
            {
                min = s;
            }
            any = true;
        }
        return any;
    }

    /// <summary>Fires window [end − size, end) for every key and drops its first min(size, slide)/gcd slices.</summary>
    private void Sweep<TEmit>(long end, ref TEmit emitter)
        where TEmit : ISliceWindowEmitter<TKey, TAcc>
    {
        long start = end - _size;
        long first = FloorDiv(start, _slice);
        var window = new TimeWindow(start, end);
        var keyFiredUpTo = _keyFiredUpTo;
        for (int e = 0; e < _count;)
        {
            if (IsEmpty(e))
            {
                // Emptied by an earlier window and not refilled since: the key went away. Keys that come back every
                // window keep their entry (no remove and re-insert per window).
                RemoveEntry(e); // the last entry moved here: look at e again
                continue;
            }
            bool any = false;
            TAcc combined = default!;
            int wordBase = e * _words;
            int accumulatorBase = e * _ring;
            for (int k = 0; k < _windowSlices; k++)
            {
                long s = first + k;
                if (_overflowSlices.Count != 0 && _overflowSlices.ContainsKey(s))
                {
                    if (_overflowCounts[e] != 0 && _overflow!.TryGetValue((_keys[e], s), out var overflowed))
                    {
                        combined = any ? _aggregator.Merge(combined, overflowed) : overflowed;
                        any = true;
                    }
                    continue;
                }
                if (s < _low || s > _high)
                {
                    continue;
                }
                int slot = (int)s & (_ring - 1);
                if ((_masks[wordBase + (slot >> 6)] & (1UL << slot)) != 0)
                {
                    combined = any ? _aggregator.Merge(combined, _accumulators[accumulatorBase + slot]) : _accumulators[accumulatorBase + slot];
                    any = true;
                }
            }
            if (any && (keyFiredUpTo is null || !keyFiredUpTo.TryGetValue((_keys[e], 0), out long keyFired) || end > keyFired))
            {
                emitter.Emit(_keys[e], window, combined);
            }
            for (int k = 0; k < _dropSlices; k++)
            {
                DropSlice(e, first + k);
            }
            e++;
        }
    }

    private void DropSlice(int entry, long slice)
    {
        if (_overflowSlices.Count != 0 && _overflowSlices.TryGetValue(slice, out int pairs))
        {
            if (_overflowCounts[entry] != 0 && _overflow!.Remove((_keys[entry], slice)))
            {
                _overflowCounts[entry]--;
                if (pairs == 1)
                {
                    _overflowSlices.Remove(slice);
                }
                else
                {
                    _overflowSlices[slice] = pairs - 1;
                }
            }
            return;
        }
        if (slice < _low || slice > _high)
        {
            return;
        }
        int slot = (int)slice & (_ring - 1);
        ref ulong word = ref _masks[(entry * _words) + (slot >> 6)];
        ulong bit = 1UL << slot;
        if ((word & bit) != 0)
        {
            word &= ~bit;
            _sliceEntries[slot]--;
            if (AccumulatorHasReferences)
            {
                _accumulators[(entry * _ring) + slot] = default!;
            }
        }
    }

    private bool IsEmpty(int entry)
    {
        if (_overflowCounts[entry] != 0)
        {
            return false;
        }
        int wordBase = entry * _words;
        for (int w = 0; w < _words; w++)
        {
            if (_masks[wordBase + w] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Shrinks [_low, _high] to the present ring slices.</summary>
    private void TightenRing()
    {
        while (_low <= _high && _sliceEntries[(int)_low & (_ring - 1)] == 0)
        {
            _low++;
        }
        while (_high >= _low && _sliceEntries[(int)_high & (_ring - 1)] == 0)
        {
            _high--;
        }
        if (_low > _high)
        {
            _low = long.MaxValue;
            _high = long.MinValue;
        }
    }

    /// <summary>Lets the ring hold <paramref name="slice"/>: widens the bounds, growing R if the span needs it; false when it would exceed <see cref="MaxRing"/>.</summary>
    private bool TryWiden(long slice)
    {
        if (_low > _high)
        {
            _low = slice;
            _high = slice;
            return true;
        }
        long low = Math.Min(_low, slice);
        long high = Math.Max(_high, slice);
        ulong span = (ulong)high - (ulong)low; // exact as unsigned: high >= low
        if (span < (ulong)_ring)
        {
            _low = low;
            _high = high;
            return true;
        }
        if (span >= MaxRing)
        {
            return false;
        }
        int ring = (int)BitOperations.RoundUpToPowerOf2((uint)span + 1);
        if ((long)_keys.Length * ring > MaxRingSlots)
        {
            return false;
        }
        Relayout(ring);
        _low = low;
        _high = high;
        return true;
    }

    /// <summary>Moves every entry's slots to a ring of <paramref name="ring"/> slots (the slot of a slice is slice mod R).</summary>
    private void Relayout(int ring)
    {
        int words = (ring + 63) >> 6;
        var masks = new ulong[_keys.Length * words];
        var accumulators = new TAcc[_keys.Length * ring];
        var sliceEntries = new int[ring];
        for (int e = 0; e < _count; e++)
        {
            for (long s = _low; s <= _high; s++)
            {
                int oldSlot = (int)s & (_ring - 1);
                if ((_masks[(e * _words) + (oldSlot >> 6)] & (1UL << oldSlot)) == 0)
                {
                    continue;
                }
                int slot = (int)s & (ring - 1);
                masks[(e * words) + (slot >> 6)] |= 1UL << slot;
                accumulators[(e * ring) + slot] = _accumulators[(e * _ring) + oldSlot];
                sliceEntries[slot]++;
            }
        }
        _ring = ring;
        _words = words;
        _masks = masks;
        _accumulators = accumulators;
        _sliceEntries = sliceEntries;
    }

    private void AddToOverflow(int entry, long slice, TIn value)
    {
        _overflow ??= new Dictionary<(TKey, long), TAcc>(OverflowComparer.Instance);
        ref TAcc? accumulator = ref CollectionsMarshal.GetValueRefOrAddDefault(_overflow, (_keys[entry], slice), out bool exists);
        if (exists)
        {
            accumulator = _aggregator.Add(accumulator!, value);
            return;
        }
        try
        {
            accumulator = _aggregator.First(value);
        }
        catch
        {
            _overflow.Remove((_keys[entry], slice));
            throw;
        }
        _overflowCounts[entry]++;
        _overflowSlices[slice] = _overflowSlices.GetValueOrDefault(slice) + 1;
    }

    /// <summary>Folds a restored accumulator into (key, slice).</summary>
    private void Put(TKey key, long slice, TAcc accumulator)
    {
        int entry = FindOrAdd(ref key);
        if ((_overflowSlices.Count != 0 && _overflowSlices.ContainsKey(slice)) || ((slice < _low || slice > _high) && !TryWiden(slice)))
        {
            _overflow ??= new Dictionary<(TKey, long), TAcc>(OverflowComparer.Instance);
            ref TAcc? stored = ref CollectionsMarshal.GetValueRefOrAddDefault(_overflow, (key, slice), out bool exists);
            if (exists)
            {
                stored = _aggregator.Merge(stored!, accumulator);
                return;
            }
            stored = accumulator;
            _overflowCounts[entry]++;
            _overflowSlices[slice] = _overflowSlices.GetValueOrDefault(slice) + 1;
            return;
        }
        int slot = (int)slice & (_ring - 1);
        ref ulong word = ref _masks[(entry * _words) + (slot >> 6)];
        ulong bit = 1UL << slot;
        ref TAcc slotValue = ref _accumulators[(entry * _ring) + slot];
        if ((word & bit) != 0)
        {
            slotValue = _aggregator.Merge(slotValue, accumulator);
        }
        else
        {
            slotValue = accumulator;
            word |= bit;
            _sliceEntries[slot]++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindOrAdd(ref TKey key)
    {
        int mask = _index.Length - 1;
        int position = (int)(RawKey<TKey>.Hash(ref key) >> _indexShift);
        while (true)
        {
            int entry = _index[position];
            if (entry == 0)
            {
                break;
            }
            if (RawKey<TKey>.Equal(ref _keys[entry - 1], ref key))
            {
                return entry - 1;
            }
            position = (position + 1) & mask;
        }
        return AddEntry(ref key, position);
    }

    private int AddEntry(ref TKey key, int position)
    {
        if (_count == _keys.Length)
        {
            GrowEntries();
            return FindOrAdd(ref key);
        }
        _index[position] = _count + 1;
        _keys[_count] = key;
        return _count++;
    }

    private void GrowEntries()
    {
        int capacity = _keys.Length * 2;
        Array.Resize(ref _keys, capacity);
        Array.Resize(ref _masks, capacity * _words);
        Array.Resize(ref _accumulators, capacity * _ring);
        Array.Resize(ref _overflowCounts, capacity);
        _index = new int[capacity * 2];
        _indexShift = 64 - BitOperations.Log2((uint)_index.Length);
        int mask = _index.Length - 1;
        for (int e = 0; e < _count; e++)
        {
            int position = (int)(RawKey<TKey>.Hash(ref _keys[e]) >> _indexShift);
            while (_index[position] != 0)
            {
                position = (position + 1) & mask;
            }
            _index[position] = e + 1;
        }
    }

    private void RemoveAllEntries()
    {
        Array.Clear(_index);
        Array.Clear(_masks, 0, _count * _words);
        Array.Clear(_overflowCounts, 0, _count);
        if (AccumulatorHasReferences)
        {
            Array.Clear(_accumulators, 0, _count * _ring);
        }
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>())
        {
            Array.Clear(_keys, 0, _count);
        }
        _count = 0;
    }

    private int IndexPositionOf(int entry)
    {
        int mask = _index.Length - 1;
        int position = (int)(RawKey<TKey>.Hash(ref _keys[entry]) >> _indexShift);
        while (_index[position] != entry + 1)
        {
            position = (position + 1) & mask;
        }
        return position;
    }

    /// <summary>Removes an empty entry: backward-shift deletion in the index, then the last entry moves into its place.</summary>
    private void RemoveEntry(int entry)
    {
        int mask = _index.Length - 1;
        int hole = IndexPositionOf(entry);
        int next = (hole + 1) & mask;
        while (_index[next] != 0)
        {
            int home = (int)(RawKey<TKey>.Hash(ref _keys[_index[next] - 1]) >> _indexShift);
            // The entry at next may fill the hole when the hole lies cyclically in [home, next).
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                _index[hole] = _index[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        _index[hole] = 0;
        int last = _count - 1;
        if (entry != last)
        {
            _index[IndexPositionOf(last)] = entry + 1;
            _keys[entry] = _keys[last];
            Array.Copy(_masks, last * _words, _masks, entry * _words, _words);
            Array.Copy(_accumulators, last * _ring, _accumulators, entry * _ring, _ring);
            _overflowCounts[entry] = _overflowCounts[last];
        }
        Array.Clear(_masks, last * _words, _words);
        if (AccumulatorHasReferences)
        {
            Array.Clear(_accumulators, last * _ring, _ring);
        }
        _overflowCounts[last] = 0;
        _keys[last] = default!;
        _count--;
    }

    // ---- checkpoints ----

    /// <summary>Synchronous phase: copies the arrays (or, for accumulators with references, writes them now) and returns the writer.</summary>
    public IKeyedStateSnapshotWriter Snapshot(long checkpointId, bool incremental)
    {
        var captured = new Captured(
            _keys.AsSpan(0, _count).ToArray(), _masks.AsSpan(0, _count * _words).ToArray(), _accumulators.AsSpan(0, _count * _ring).ToArray(),
            _ring, _words, _low, _high, _overflow?.ToArray() ?? [], _firedUpTo, _watermark);
        var writer = new SnapshotWriterImpl(this, captured);
        if (AccumulatorHasReferences)
        {
            // A mutable accumulator object could change after this phase: serialize it now.
            writer.Materialize();
        }
        return writer;
    }

    public void NotifyCheckpointComplete(long checkpointId)
    {
    }

    public void NotifyCheckpointAborted(long checkpointId)
    {
    }

    /// <summary>
    /// Restores from the snapshots of old subtasks (one chain each; every snapshot is full, so the last of a chain
    /// counts); (key, slice) records outside <see cref="KeyGroupRange"/> are skipped. Windows that fired before the
    /// checkpoint do not fire again, and elements behind the checkpoint's watermark are late: each snapshot carries the
    /// end of the last window its subtask fired and its watermark (with several, the lowest counts; keys whose subtask
    /// had fired further remember that).
    /// </summary>
    public void Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains)
    {
        ArgumentNullException.ThrowIfNull(chains);
        if (_count > 0 || _firedUpTo != long.MinValue)
        {
            throw new InvalidOperationException($"operator '{_operatorName}': window state is restored once, before any element.");
        }
        var firedUpTo = new List<(long FiredUpTo, long Watermark, List<TKey> Keys)>();
        foreach (var chain in chains)
        {
            if (chain.Count == 0)
            {
                continue;
            }
            using var stream = new BufferedStream(chain[^1](), 64 * 1024);
            firedUpTo.Add(RestoreOne(stream));
        }
        if (firedUpTo.Count == 0)
        {
            return;
        }
        _firedUpTo = firedUpTo.Min(f => f.FiredUpTo);
        // Elements behind the watermark before the checkpoint stay late after it, as in a run that never stopped.
        _watermark = firedUpTo.Min(f => f.Watermark);
        foreach (var (fired, _, keys) in firedUpTo)
        {
            if (fired > _firedUpTo && keys.Count > 0)
            {
                _keyFiredUpTo ??= new Dictionary<(TKey, long), long>(OverflowComparer.Instance);
                foreach (var key in keys)
                {
                    _keyFiredUpTo[(key, 0)] = fired;
                }
            }
        }
    }

    private (long FiredUpTo, long Watermark, List<TKey> Keys) RestoreOne(Stream stream)
    {
        var input = new SnapshotReader(stream);
        if (input.ReadInt32() != Magic || input.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException($"operator '{_operatorName}': not a window slice snapshot of format {FormatVersion}.");
        }
        int maxParallelism = input.ReadInt32();
        if (maxParallelism != MaxParallelism)
        {
            throw new InvalidDataException(
                $"operator '{_operatorName}': the snapshot was taken with max parallelism {maxParallelism}, this job has {MaxParallelism}; key groups cannot be mapped.");
        }
        input.ReadInt32(); // the old subtask's key group range: informational
        input.ReadInt32();
        long size = input.ReadInt64();
        long slide = input.ReadInt64();
        long offset = input.ReadInt64();
        if (size != _size || slide != _slide || offset != _offset)
        {
            throw new InvalidDataException(
                $"operator '{_operatorName}': the snapshot holds windows of size {size}, slide {slide}, offset {offset}; this job has size {_size}, slide {_slide}, offset {_offset}. " +
                "Keep the window definition when restoring, or start without the window's state.");
        }
        long firedUpTo = input.ReadInt64();
        long watermark = input.ReadInt64();
        var keys = new List<TKey>();
        long records = 0;
        int keySize = RawKey<TKey>.Size;
        while (true)
        {
            byte tag = input.ReadByte();
            if (tag == EndTag)
            {
                break;
            }
            if (tag != RecordTag)
            {
                throw new InvalidDataException($"operator '{_operatorName}': the window slice snapshot is corrupt (record tag {tag}).");
            }
            records++;
            int keyGroup = input.ReadInt32();
            long slice = input.ReadInt64();
            int keyLength = input.ReadLength();
            if (keyLength != keySize)
            {
                throw new InvalidDataException($"operator '{_operatorName}': the snapshot's keys have {keyLength} bytes, '{typeof(TKey)}' has {keySize}.");
            }
            var key = Unsafe.ReadUnaligned<TKey>(ref MemoryMarshal.GetReference(input.ReadBytes(keySize)));
            int accumulatorLength = input.ReadLength();
            var accumulatorBytes = input.ReadBytes(accumulatorLength);
            if (!KeyGroupRange.Contains(keyGroup))
            {
                continue;
            }
            var view = new DataInputView(accumulatorBytes);
            Put(key, slice, _accumulatorSerializer.Deserialize(ref view));
            keys.Add(key);
        }
        if (input.ReadInt64() != records || input.ReadInt32() != Magic)
        {
            throw new InvalidDataException($"operator '{_operatorName}': the window slice snapshot does not end where it should (corrupt).");
        }
        return (firedUpTo, watermark, keys);
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    private sealed record Captured(
        TKey[] Keys, ulong[] Masks, TAcc[] Accumulators, int Ring, int Words, long Low, long High,
        KeyValuePair<(TKey Key, long Slice), TAcc>[] Overflow, long FiredUpTo, long Watermark);

    /// <summary>Writes a captured view: header, one record per (key, slice), end tag, record count, trailer.</summary>
    private sealed class SnapshotWriterImpl(WindowSliceTable<TKey, TIn, TAcc, TAgg> table, Captured captured) : IKeyedStateSnapshotWriter
    {
        private byte[]? _materialized;
        private Captured? _captured = captured;

        public bool IsIncremental => false;

        public void Materialize()
        {
            using var buffer = new MemoryStream();
            Write(buffer);
            _materialized = buffer.ToArray();
            _captured = null;
        }

        public void WriteTo(Stream output)
        {
            if (_materialized is { } bytes)
            {
                output.Write(bytes);
                return;
            }
            Write(output);
        }

        public void Release()
        {
            _captured = null;
            _materialized = null;
        }

        private void Write(Stream output)
        {
            var c = _captured ?? throw new InvalidOperationException("the snapshot was released");
            using var writer = new SnapshotWriter(output);
            writer.WriteInt32(Magic);
            writer.WriteInt32(FormatVersion);
            writer.WriteInt32(table.MaxParallelism);
            writer.WriteInt32(table.KeyGroupRange.StartKeyGroup);
            writer.WriteInt32(table.KeyGroupRange.EndKeyGroup);
            writer.WriteInt64(table._size);
            writer.WriteInt64(table._slide);
            writer.WriteInt64(table._offset);
            writer.WriteInt64(c.FiredUpTo);
            writer.WriteInt64(c.Watermark);
            var accumulatorBytes = new DataOutputSerializer();
            long records = 0;
            for (int e = 0; e < c.Keys.Length; e++)
            {
                int keyGroup = KeyGroupOf(ref c.Keys[e]);
                for (long s = c.Low; s <= c.High; s++)
                {
                    int slot = (int)s & (c.Ring - 1);
                    if ((c.Masks[(e * c.Words) + (slot >> 6)] & (1UL << slot)) != 0)
                    {
                        WriteRecord(writer, accumulatorBytes, keyGroup, ref c.Keys[e], s, c.Accumulators[(e * c.Ring) + slot]);
                        records++;
                    }
                }
            }
            foreach (var ((key, slice), accumulator) in c.Overflow)
            {
                var k = key;
                WriteRecord(writer, accumulatorBytes, KeyGroupOf(ref k), ref k, slice, accumulator);
                records++;
            }
            writer.WriteByte(EndTag);
            writer.WriteInt64(records);
            writer.WriteInt32(Magic);
        }

        private int KeyGroupOf(ref TKey key) =>
            KeyGroupRangeAssignment.ComputeKeyGroupForKeyHash(StableHash.Murmur3(RawKey<TKey>.Bytes(ref key)), table.MaxParallelism);

        private void WriteRecord(SnapshotWriter writer, DataOutputSerializer accumulatorBytes, int keyGroup, ref TKey key, long slice, TAcc accumulator)
        {
            writer.WriteByte(RecordTag);
            writer.WriteInt32(keyGroup);
            writer.WriteInt64(slice);
            writer.WriteInt32(RawKey<TKey>.Size);
            writer.WriteBytes(RawKey<TKey>.Bytes(ref key));
            accumulatorBytes.Clear();
            table._accumulatorSerializer.Serialize(accumulator, accumulatorBytes);
            writer.WriteInt32(accumulatorBytes.WrittenSpan.Length);
            writer.WriteBytes(accumulatorBytes.WrittenSpan);
        }
    }

    private sealed class OverflowComparer : IEqualityComparer<(TKey Key, long Slice)>
    {
        public static readonly OverflowComparer Instance = new();

        public bool Equals((TKey Key, long Slice) x, (TKey Key, long Slice) y) => x.Slice == y.Slice && RawKey<TKey>.Equal(ref x.Key, ref y.Key);

        public int GetHashCode((TKey Key, long Slice) obj) => HashCode.Combine(RawKey<TKey>.Hash(ref obj.Key), obj.Slice);
    }
}
