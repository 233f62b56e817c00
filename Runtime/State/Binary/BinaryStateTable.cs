using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using DataflowCompiler.Memory;

namespace DataflowCompiler.State.Binary;

/// <summary>Visits the key and secondary (namespace) bytes of a live entry.</summary>
internal delegate void StateEntryVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary);

/// <summary>Visits a live entry with its key group and value bytes (valid only during the call).</summary>
internal delegate void StateEntryValueVisitor(int keyGroup, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, ReadOnlySpan<byte> value);

/// <summary>
/// All entries of one state (Flink's StateTable): the bytes in memory segments rented from the
/// managed pool, appended one after another (<see cref="StateEntry"/> layout), and one
/// <see cref="BinaryStateMap"/> index per key group. An entry is addressed by (segment index, offset).
/// <para>
/// Writes overwrite in place when the new value fits the entry's capacity; otherwise the entry is
/// appended anew and the old bytes become garbage. When garbage exceeds half the written bytes (or the
/// pool has no segment left) the table compacts in place: it slides live entries towards the first
/// segment, fixes their index slots and returns the emptied segments. Compaction needs no spare segment,
/// so it also works when the pool is exhausted.
/// </para>
/// <para>
/// Large values: when key + namespace + value + header do not fit into one segment, the value goes into a
/// chain of whole segments of its own and the entry becomes a fixed-size stub naming the chain. Appends
/// grow a chain by renting more segments (no copying); reads copy the chain into a reused buffer, because
/// serializers read contiguous bytes. Only the key and namespace must fit into one segment.
/// </para>
/// <para>
/// Copy-on-write snapshots: <see cref="Pin"/> (task thread) takes version v = <see cref="Version"/>, advances the
/// version and remembers how far each segment is written (no entry is copied). While a pin is held, writers never change
/// or free the bytes of an entry stamped ≤ v: an overwrite, in-place access or append first relocates it (a new copy
/// stamped with the new version; a large value gets a new chain), and removing or relocating it only records the dead
/// mark, which is applied when the last pin is released. Compaction and returning segments to the pool wait too. So a
/// snapshot's writer, on any thread, reads exactly the entries live at v by scanning the remembered extent. The hot path
/// pays one compare of the entry's version with <c>_cowVersion</c> (-1 without a pin). Removals are logged in a
/// <see cref="StateTombstoneLog"/> once the table has been snapshotted, for incremental snapshots.
/// </para>
/// Thread-confined to the task thread, like all keyed state.
/// </summary>
internal sealed class BinaryStateTable : IStateTable
{
    private readonly string _stateName;
    private readonly string _operatorName;
    private readonly MemorySegmentPool _pool;
    private readonly int _firstKeyGroup;
    private readonly BinaryStateMap?[] _maps;
    private readonly List<MemorySegment> _segments = new();
    private readonly List<int> _segmentUsed = new(); // bytes written into each segment
    private readonly List<MemorySegment[]?> _chains = new(); // large values by chain id
    private readonly Stack<int> _freeChainIds = new();
    private readonly int _segmentSize;
    private byte[] _largeReadBuffer = [];
    private int _chainSegments;
    private int _writeSegment = -1;
    private int _writeOffset;
    private long _writtenBytes; // bytes of all entries in the segments, live or dead
    private long _garbageBytes; // bytes of dead entries
    private long _entryCount;
    private int _layoutStamp; // see LayoutStamp
    private bool _disposed;

    // Copy-on-write (see the class remarks). Entries stamped <= _cowVersion belong to a pinned snapshot; -1 without pins.
    private readonly object _pinLock = new(); // guards _pins, the pins' Released flags, _disposed and _orphans across threads
    private readonly List<BinaryStateTableSnapshot> _pins = new();
    private readonly List<long> _deferredDead = new(); // addresses of pinned entries removed or relocated since
    private readonly List<int> _deferredChains = new(); // chains of pinned entries removed or replaced since
    private int _cowVersion = -1;
    private int _releaseSignal; // bumped under _pinLock by Release on any thread
    private int _seenReleaseSignal;
    private bool _compactionPending;
    private List<MemorySegment>? _orphans; // segments of a table disposed while pinned; the last release returns them
    private StateTombstoneLog? _tombstones;

    public BinaryStateTable(string stateName, string operatorName, MemorySegmentPool pool, KeyGroupRange keyGroupRange)
    {
        _stateName = stateName;
        _operatorName = operatorName;
        _pool = pool;
        _segmentSize = pool.SegmentSize;
        _firstKeyGroup = keyGroupRange.StartKeyGroup;
        _maps = new BinaryStateMap?[keyGroupRange.Count];
    }

    /// <summary>Live entries.</summary>
    public long EntryCount => _entryCount;

    /// <summary>Segments currently rented by this table (entry segments and large-value chains).</summary>
    public int SegmentCount => _segments.Count + _chainSegments;

    /// <summary>Bytes of dead entries not yet reclaimed.</summary>
    public long GarbageBytes => _garbageBytes;

    /// <summary>How often the table compacted (tests use it to prove compaction ran).</summary>
    public int CompactionCount { get; private set; }

    /// <summary>The version stamped on writes; <see cref="Pin"/> advances it (see the class remarks).</summary>
    public int Version { get; private set; }

    /// <summary>Whether a snapshot pin is held (or released but not yet applied on the task thread).</summary>
    internal bool IsPinned => _cowVersion >= 0;

    /// <summary>Advances <see cref="Version"/>, as a snapshot will (tests use it to see which writes stamp entries).</summary>
    internal void AdvanceVersion() => Version++;

    /// <summary>The version a key group's index was last written in (tests).</summary>
    internal int LastModifiedVersion(int keyGroup) => _maps[keyGroup - _firstKeyGroup]?.LastModifiedVersion ?? -1;

    /// <summary>The version an entry was last written in, or -1 if it is absent (tests).</summary>
    internal int EntryVersion(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary)
    {
        var map = _maps[keyGroup - _firstKeyGroup];
        int slot = map is null ? -1 : map.Find(hash, key, secondary, _segments);
        if (slot < 0)
        {
            return -1;
        }
        long address = map!.AddressAt(slot);
        return StateEntry.ReadInt(_segments[StateEntry.SegmentOf(address)].Array, StateEntry.OffsetOf(address), StateEntry.VersionOffset);
    }

    /// <summary>
    /// Changes whenever an entry may have moved to another index slot or segment place, or disappeared: on every
    /// insertion (the index may grow), relocation, removal and compaction. An index slot returned by
    /// <see cref="Find"/> stays the entry's slot while the stamp is unchanged; overwriting a value in place does not
    /// change it.
    /// </summary>
    public int LayoutStamp => _layoutStamp;

    /// <summary>
    /// Finds the value bytes of an entry. The span is valid until the next write to this table (and, for a
    /// large value, until the next read of another large value of this table).
    /// </summary>
    public bool TryGet(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, out ReadOnlySpan<byte> value) =>
        Find(keyGroup, hash, key, secondary, out value) >= 0;

    /// <summary>
    /// Finds an entry: returns its index slot (for <see cref="PutAt"/> and <see cref="WritableFixedValue"/> while
    /// <see cref="LayoutStamp"/> is unchanged) and its value bytes (valid as for <see cref="TryGet"/>), or -1.
    /// </summary>
    public int Find(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, out ReadOnlySpan<byte> value)
    {
        ThrowIfDisposed();
        var map = _maps[keyGroup - _firstKeyGroup];
        int slot = map is null ? -1 : map.Find(hash, key, secondary, _segments);
        if (slot < 0)
        {
            value = default;
            return -1;
        }
        long address = map!.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        int length = StateEntry.ReadInt(segment, offset, StateEntry.ValueLengthOffset);
        if (StateEntry.IsLarge(segment, offset))
        {
            if (_largeReadBuffer.Length < length)
            {
                _largeReadBuffer = new byte[Math.Max(length, _largeReadBuffer.Length * 2)];
            }
            ReadChain(ChainOf(segment, offset), _largeReadBuffer.AsSpan(0, length));
            value = _largeReadBuffer.AsSpan(0, length);
            return slot;
        }
        value = segment.AsSpan(StateEntry.ValueStart(segment, offset), length);
        return slot;
    }

    /// <summary>
    /// The value bytes of a fixed-size entry, for reading and writing in place; inserts the entry with
    /// <paramref name="valueSize"/> zero bytes if it is absent. One index probe. The entry is stamped with the
    /// current <see cref="Version"/> like a <see cref="Put"/> (the caller is about to change it). The span is valid
    /// until the next call on this table. Throws if the entry holds a value of another length (written through
    /// another serializer) or if the value does not fit into a segment next to the key (<see cref="FitsInline"/>).
    /// </summary>
    public Span<byte> GetOrInsertFixed(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, int valueSize, out bool existed)
    {
        BeginWrite();
        var map = MapFor(keyGroup);
        int slot = map.Find(hash, key, secondary, _segments);
        existed = slot >= 0;
        return existed ? FixedValueAt(map, slot, valueSize) : InsertFixed(map, keyGroup, hash, key, secondary, valueSize);
    }

    /// <summary>
    /// Like <see cref="GetOrInsertFixed"/> for the entry <see cref="Find"/> returned <paramref name="slot"/> for (-1:
    /// absent) when <see cref="LayoutStamp"/> was <paramref name="stamp"/>: without probing again while the stamp is
    /// unchanged. Same key, secondary and hash as that <see cref="Find"/>.
    /// </summary>
    public Span<byte> WritableFixedValue(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, int slot, int stamp, int valueSize)
    {
        BeginWrite(); // first: applying released pins may compact and change the layout stamp
        if (stamp != _layoutStamp)
        {
            return GetOrInsertFixed(keyGroup, hash, key, secondary, valueSize, out _);
        }
        var map = MapFor(keyGroup);
        return slot < 0 ? InsertFixed(map, keyGroup, hash, key, secondary, valueSize) : FixedValueAt(map, slot, valueSize);
    }

    /// <summary>Whether a value of <paramref name="valueSize"/> bytes is kept in line (not in a chain) next to such a key and secondary.</summary>
    public bool FitsInline(int keyLength, int secondaryLength, int valueSize) => valueSize <= MaxInlineCapacity(keyLength, secondaryLength);

    /// <summary>
    /// Like <see cref="Put"/> for the entry <see cref="Find"/> returned <paramref name="slot"/> for (-1: absent) when
    /// <see cref="LayoutStamp"/> was <paramref name="stamp"/>: without probing again while the stamp is unchanged.
    /// Same key, secondary and hash as that <see cref="Find"/>. Returns true if the entry is new.
    /// </summary>
    public bool PutAt(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, int slot, int stamp, ReadOnlySpan<byte> value)
    {
        BeginWrite(); // first: applying released pins may compact and change the layout stamp
        if (stamp != _layoutStamp)
        {
            return Put(keyGroup, hash, key, secondary, value);
        }
        var map = MapFor(keyGroup);
        if (slot < 0)
        {
            InsertValue(map, keyGroup, hash, key, secondary, value);
            return true;
        }
        Overwrite(map, slot, keyGroup, value);
        return false;
    }

    /// <summary>Sets the value of an entry, creating it if needed. Returns true if the entry is new.</summary>
    public bool Put(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, ReadOnlySpan<byte> value)
    {
        BeginWrite();
        var map = MapFor(keyGroup);
        int slot = map.Find(hash, key, secondary, _segments);
        if (slot < 0)
        {
            InsertValue(map, keyGroup, hash, key, secondary, value);
            return true;
        }
        Overwrite(map, slot, keyGroup, value);
        return false;
    }

    /// <summary>
    /// Appends bytes to an entry's value, creating the entry if needed (list state). Capacity doubles on
    /// growth so a run of appends costs amortised O(1) copies per byte; past a segment, the value moves
    /// into a chain that grows without copying.
    /// </summary>
    public void Append(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, ReadOnlySpan<byte> bytes)
    {
        BeginWrite();
        var map = MapFor(keyGroup);
        int slot = map.Find(hash, key, secondary, _segments);
        int maxInline = MaxInlineCapacity(key.Length, secondary.Length);
        if (slot < 0)
        {
            if (bytes.Length > maxInline)
            {
                InsertLarge(map, keyGroup, hash, key, secondary, bytes, bytes.Length);
            }
            else
            {
                Insert(map, keyGroup, hash, key, secondary, bytes, bytes.Length);
            }
            return;
        }
        long address = map.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        if (StateEntry.ReadInt(segment, offset, StateEntry.VersionOffset) <= _cowVersion)
        {
            address = CopyOnWrite(map, slot, keyGroup, copyValue: true);
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        int length = StateEntry.ReadInt(segment, offset, StateEntry.ValueLengthOffset);
        long needed = (long)length + bytes.Length;
        if (needed > int.MaxValue - _segmentSize)
        {
            throw new InvalidOperationException($"state '{_stateName}' of operator '{_operatorName}': a value cannot grow past {int.MaxValue - _segmentSize} bytes.");
        }
        if (StateEntry.IsLarge(segment, offset))
        {
            int chainId = ChainIdOf(segment, offset);
            var chain = _chains[chainId]!;
            if (needed > (long)chain.Length * _segmentSize)
            {
                chain = _chains[chainId] = ResizeChain(chain, (int)needed);
            }
            WriteChain(chain, length, bytes);
            address = map.AddressAt(slot);
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        else if (needed > maxInline)
        {
            // Outgrows a segment: move the value into a chain, then turn the entry into a stub.
            int chainId = NewChain((int)needed);
            address = map.AddressAt(slot);
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
            var chain = _chains[chainId]!;
            WriteChain(chain, 0, segment.AsSpan(StateEntry.ValueStart(segment, offset), length));
            WriteChain(chain, length, bytes);
            address = MakeStub(map, slot, keyGroup, chainId);
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        else
        {
            int capacity = StateEntry.ReadInt(segment, offset, StateEntry.CapacityOffset);
            if (needed > capacity)
            {
                int grown = (int)Math.Min(Math.Max((long)capacity * 2, needed), maxInline);
                address = Relocate(map, slot, keyGroup, grown, preservedValueBytes: length);
                segment = _segments[StateEntry.SegmentOf(address)].Array;
                offset = StateEntry.OffsetOf(address);
            }
            bytes.CopyTo(segment.AsSpan(StateEntry.ValueStart(segment, offset) + length));
        }
        StateEntry.WriteInt(segment, offset, StateEntry.ValueLengthOffset, (int)needed);
        Stamp(map, segment, offset);
        MaybeCompact();
    }

    /// <summary>Removes an entry. Returns false if there was none.</summary>
    public bool Remove(int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary)
    {
        BeginWrite();
        var map = _maps[keyGroup - _firstKeyGroup];
        int slot = map is null ? -1 : map.Find(hash, key, secondary, _segments);
        if (slot < 0)
        {
            return false;
        }
        long address = map!.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        if (StateEntry.IsLarge(segment, offset))
        {
            if (StateEntry.ReadInt(segment, offset, StateEntry.VersionOffset) <= _cowVersion)
            {
                _deferredChains.Add(ChainIdOf(segment, offset)); // a pinned snapshot still reads it
            }
            else
            {
                ReleaseChain(ChainIdOf(segment, offset));
            }
        }
        _tombstones?.Add(Version, keyGroup, hash, key, secondary);
        Free(address);
        map.RemoveAt(slot);
        _layoutStamp++;
        map.LastModifiedVersion = Version;
        _entryCount--;
        MaybeCompact();
        return true;
    }

    /// <summary>Visits every live entry, key group by key group. The table must not be written meanwhile.</summary>
    public void ForEachEntry(StateEntryVisitor visitor)
    {
        ThrowIfDisposed();
        foreach (var map in _maps)
        {
            if (map is null)
            {
                continue;
            }
            for (int slot = 0; slot < map.Capacity; slot++)
            {
                long address = map.AddressAt(slot);
                if (!BinaryStateMap.IsEmptyAddress(address))
                {
                    byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
                    int offset = StateEntry.OffsetOf(address);
                    visitor(StateEntry.Key(segment, offset), StateEntry.Secondary(segment, offset));
                }
            }
        }
    }

    /// <summary>
    /// Visits every live entry with its key group and value bytes, key group by key group (a flat state adopting a
    /// restored table copies it this way). The table must not be written meanwhile.
    /// </summary>
    public void ForEachEntry(StateEntryValueVisitor visitor)
    {
        ThrowIfDisposed();
        foreach (var map in _maps)
        {
            if (map is null)
            {
                continue;
            }
            for (int slot = 0; slot < map.Capacity; slot++)
            {
                long address = map.AddressAt(slot);
                if (BinaryStateMap.IsEmptyAddress(address))
                {
                    continue;
                }
                byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
                int offset = StateEntry.OffsetOf(address);
                int length = StateEntry.ReadInt(segment, offset, StateEntry.ValueLengthOffset);
                ReadOnlySpan<byte> value;
                if (StateEntry.IsLarge(segment, offset))
                {
                    if (_largeReadBuffer.Length < length)
                    {
                        _largeReadBuffer = new byte[Math.Max(length, _largeReadBuffer.Length * 2)];
                    }
                    ReadChain(ChainOf(segment, offset), _largeReadBuffer.AsSpan(0, length));
                    value = _largeReadBuffer.AsSpan(0, length);
                }
                else
                {
                    value = segment.AsSpan(StateEntry.ValueStart(segment, offset), length);
                }
                visitor(StateEntry.ReadInt(segment, offset, StateEntry.KeyGroupOffset), StateEntry.Key(segment, offset), StateEntry.Secondary(segment, offset), value);
            }
        }
    }

    /// <summary>
    /// Slides live entries to the front of the segments and returns the emptied segments to the pool. While a snapshot
    /// pin is held this only records the request; the compaction runs when the last pin's release is applied.
    /// </summary>
    public void Compact()
    {
        ThrowIfDisposed();
        if (_cowVersion >= 0)
        {
            PollReleases();
            if (_cowVersion >= 0)
            {
                _compactionPending = true;
                return;
            }
        }
        CompactNow();
    }

    private void CompactNow()
    {
        int destSegment = 0;
        int destOffset = 0;
        long live = 0;
        for (int source = 0; source < _segments.Count; source++)
        {
            byte[] sourceArray = _segments[source].Array;
            int used = _segmentUsed[source];
            int offset = 0;
            while (offset < used)
            {
                int size = StateEntry.SizeOf(sourceArray, offset);
                if (StateEntry.ReadInt(sourceArray, offset, StateEntry.ValueLengthOffset) != StateEntry.Dead)
                {
                    if (destOffset + size > _segmentSize)
                    {
                        // The destination trails the source, so it only moves to a segment already passed.
                        _segmentUsed[destSegment] = destOffset;
                        destSegment++;
                        destOffset = 0;
                    }
                    if (destSegment != source || destOffset != offset)
                    {
                        sourceArray.AsSpan(offset, size).CopyTo(_segments[destSegment].Array.AsSpan(destOffset)); // memmove semantics
                        // Read the moved header: an overlapping move may have overwritten the source.
                        byte[] destArray = _segments[destSegment].Array;
                        int keyGroup = StateEntry.ReadInt(destArray, destOffset, StateEntry.KeyGroupOffset);
                        int hash = StateEntry.ReadInt(destArray, destOffset, StateEntry.HashOffset);
                        var map = _maps[keyGroup - _firstKeyGroup]!;
                        map.SetAddress(map.FindByAddress(hash, StateEntry.Address(source, offset)), StateEntry.Address(destSegment, destOffset));
                    }
                    destOffset += size;
                    live += size;
                }
                offset += size;
            }
        }
        if (_segments.Count > 0)
        {
            _segmentUsed[destSegment] = destOffset;
            ReleaseSegmentsFrom(live == 0 ? 0 : destSegment + 1);
        }
        _writeSegment = _segments.Count - 1;
        _writeOffset = _writeSegment < 0 ? 0 : destOffset;
        _writtenBytes = live;
        _garbageBytes = 0;
        _layoutStamp++;
        CompactionCount++;
    }

    /// <summary>Returns every segment to the pool; the table is unusable afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        lock (_pinLock)
        {
            _pins.RemoveAll(static p => p.Released);
            if (_pins.Count > 0)
            {
                // A snapshot writer still reads these segments: the last pin's release returns them.
                _orphans = [.. _segments];
                foreach (var chain in _chains)
                {
                    _orphans.AddRange(chain ?? []);
                }
                _segments.Clear();
                _segmentUsed.Clear();
                _chains.Clear();
                _chainSegments = 0;
            }
            _disposed = true;
        }
        ReleaseSegmentsFrom(0);
        for (int id = 0; id < _chains.Count; id++)
        {
            if (_chains[id] is not null)
            {
                ReleaseChain(id);
            }
        }
        _deferredDead.Clear();
        _deferredChains.Clear();
        _cowVersion = -1;
        foreach (var map in _maps)
        {
            map?.Clear();
        }
        _entryCount = 0;
        _layoutStamp++;
    }

    private BinaryStateMap MapFor(int keyGroup) => _maps[keyGroup - _firstKeyGroup] ??= new BinaryStateMap();

    private int MaxInlineCapacity(int keyLength, int secondaryLength) => _segmentSize - StateEntry.HeaderSize - keyLength - secondaryLength;

    private void InsertValue(BinaryStateMap map, int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxInlineCapacity(key.Length, secondary.Length))
        {
            InsertLarge(map, keyGroup, hash, key, secondary, value, value.Length);
        }
        else
        {
            Insert(map, keyGroup, hash, key, secondary, value, value.Length);
        }
    }

    /// <summary>Sets the value of the existing entry in <paramref name="slot"/>: in place when it fits, else relocated or in a chain.</summary>
    private void Overwrite(BinaryStateMap map, int slot, int keyGroup, ReadOnlySpan<byte> value)
    {
        long address = map.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        if (StateEntry.ReadInt(segment, offset, StateEntry.VersionOffset) <= _cowVersion)
        {
            address = CopyOnWrite(map, slot, keyGroup, copyValue: false);
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        bool wasLarge = StateEntry.IsLarge(segment, offset);
        bool large = value.Length > MaxInlineCapacity(
            StateEntry.ReadInt(segment, offset, StateEntry.KeyLengthOffset), StateEntry.ReadInt(segment, offset, StateEntry.SecondaryLengthOffset));
        if (large)
        {
            int chainId = wasLarge ? ChainIdOf(segment, offset) : -1;
            if (wasLarge)
            {
                _chains[chainId] = ResizeChain(_chains[chainId]!, value.Length);
            }
            else
            {
                chainId = NewChain(value.Length);
                MakeStub(map, slot, keyGroup, chainId);
            }
            WriteChain(_chains[chainId]!, 0, value);
            address = map.AddressAt(slot); // resizing may have compacted
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        else
        {
            int releasedChain = wasLarge ? ChainIdOf(segment, offset) : -1;
            if (value.Length > StateEntry.ReadInt(segment, offset, StateEntry.CapacityOffset))
            {
                address = Relocate(map, slot, keyGroup, value.Length, preservedValueBytes: 0);
                segment = _segments[StateEntry.SegmentOf(address)].Array;
                offset = StateEntry.OffsetOf(address);
            }
            value.CopyTo(segment.AsSpan(StateEntry.ValueStart(segment, offset)));
            if (wasLarge)
            {
                // Back to an ordinary entry: the value fits in line again.
                StateEntry.WriteInt(segment, offset, StateEntry.FlagsOffset, 0);
                ReleaseChain(releasedChain);
            }
        }
        StateEntry.WriteInt(segment, offset, StateEntry.ValueLengthOffset, value.Length);
        Stamp(map, segment, offset);
        MaybeCompact();
    }

    /// <summary>Inserts an entry known to be absent with <paramref name="valueSize"/> zero value bytes and returns them.</summary>
    private Span<byte> InsertFixed(BinaryStateMap map, int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, int valueSize)
    {
        if (!FitsInline(key.Length, secondary.Length, valueSize))
        {
            throw new InvalidOperationException(
                $"state '{_stateName}' of operator '{_operatorName}': a fixed-size value of {valueSize} bytes does not fit into a segment of " +
                $"{_segmentSize} bytes next to a key of {key.Length} and a namespace of {secondary.Length} bytes; write it with Put.");
        }
        long address = Insert(map, keyGroup, hash, key, secondary, [], valueSize);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        StateEntry.WriteInt(segment, offset, StateEntry.ValueLengthOffset, valueSize);
        var value = segment.AsSpan(StateEntry.ValueStart(segment, offset), valueSize);
        value.Clear(); // segments come back from the pool with old bytes
        return value;
    }

    /// <summary>The value bytes of the existing fixed-size entry in <paramref name="slot"/>, stamped as written.</summary>
    private Span<byte> FixedValueAt(BinaryStateMap map, int slot, int valueSize)
    {
        long address = map.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        int length = StateEntry.ReadInt(segment, offset, StateEntry.ValueLengthOffset);
        if (length != valueSize || StateEntry.IsLarge(segment, offset))
        {
            throw new InvalidOperationException(
                $"state '{_stateName}' of operator '{_operatorName}': an entry holds a value of {length} bytes where fixed-size access expects " +
                $"{valueSize}; its values were written with another serializer.");
        }
        if (StateEntry.ReadInt(segment, offset, StateEntry.VersionOffset) <= _cowVersion)
        {
            address = CopyOnWrite(map, slot, StateEntry.ReadInt(segment, offset, StateEntry.KeyGroupOffset), copyValue: true);
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        Stamp(map, segment, offset);
        return segment.AsSpan(StateEntry.ValueStart(segment, offset), valueSize);
    }

    private long Insert(BinaryStateMap map, int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, ReadOnlySpan<byte> value, int capacity)
    {
        long address = Allocate(StateEntry.HeaderSize + key.Length + secondary.Length + capacity, key.Length, secondary.Length);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        StateEntry.WriteInt(segment, offset, StateEntry.KeyLengthOffset, key.Length);
        StateEntry.WriteInt(segment, offset, StateEntry.SecondaryLengthOffset, secondary.Length);
        StateEntry.WriteInt(segment, offset, StateEntry.ValueLengthOffset, value.Length);
        StateEntry.WriteInt(segment, offset, StateEntry.CapacityOffset, capacity);
        StateEntry.WriteInt(segment, offset, StateEntry.KeyGroupOffset, keyGroup);
        StateEntry.WriteInt(segment, offset, StateEntry.HashOffset, hash);
        StateEntry.WriteInt(segment, offset, StateEntry.FlagsOffset, 0);
        int position = offset + StateEntry.HeaderSize;
        key.CopyTo(segment.AsSpan(position));
        position += key.Length;
        secondary.CopyTo(segment.AsSpan(position));
        position += secondary.Length;
        value.CopyTo(segment.AsSpan(position));
        map.Insert(hash, address);
        _layoutStamp++;
        Stamp(map, segment, offset);
        _entryCount++;
        return address;
    }

    /// <summary>Inserts a stub entry whose value (<paramref name="value"/>, reserved to <paramref name="capacity"/>) lives in a new chain.</summary>
    private void InsertLarge(BinaryStateMap map, int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, ReadOnlySpan<byte> value, int capacity)
    {
        int chainId = NewChain(capacity);
        WriteChain(_chains[chainId]!, 0, value);
        Span<byte> stub = stackalloc byte[StateEntry.StubCapacity];
        BinaryPrimitives.WriteInt32LittleEndian(stub, chainId);
        long address;
        try
        {
            address = Insert(map, keyGroup, hash, key, secondary, stub, StateEntry.StubCapacity);
        }
        catch
        {
            ReleaseChain(chainId);
            throw;
        }
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        StateEntry.WriteInt(segment, offset, StateEntry.FlagsOffset, StateEntry.LargeFlag);
        StateEntry.WriteInt(segment, offset, StateEntry.ValueLengthOffset, value.Length);
    }

    /// <summary>
    /// Turns the ordinary entry in <paramref name="slot"/> into a stub naming <paramref name="chainId"/>
    /// (the caller has copied what it needs of the old value). Returns the entry's address.
    /// </summary>
    private long MakeStub(BinaryStateMap map, int slot, int keyGroup, int chainId)
    {
        long address = map.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        if (StateEntry.ReadInt(segment, offset, StateEntry.CapacityOffset) < StateEntry.StubCapacity)
        {
            try
            {
                address = Relocate(map, slot, keyGroup, StateEntry.StubCapacity, preservedValueBytes: 0);
            }
            catch
            {
                ReleaseChain(chainId);
                throw;
            }
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            offset = StateEntry.OffsetOf(address);
        }
        BinaryPrimitives.WriteInt32LittleEndian(segment.AsSpan(StateEntry.ValueStart(segment, offset)), chainId);
        StateEntry.WriteInt(segment, offset, StateEntry.FlagsOffset, StateEntry.LargeFlag);
        return address;
    }

    /// <summary>
    /// Moves the entry in <paramref name="slot"/> to a new place with a bigger capacity, keeping its header,
    /// key, secondary and the first <paramref name="preservedValueBytes"/> of its value. Returns the new address.
    /// </summary>
    private long Relocate(BinaryStateMap map, int slot, int keyGroup, int capacity, int preservedValueBytes)
    {
        long oldAddress = map.AddressAt(slot);
        byte[] oldSegment = _segments[StateEntry.SegmentOf(oldAddress)].Array;
        int keyLength = StateEntry.ReadInt(oldSegment, StateEntry.OffsetOf(oldAddress), StateEntry.KeyLengthOffset);
        int secondaryLength = StateEntry.ReadInt(oldSegment, StateEntry.OffsetOf(oldAddress), StateEntry.SecondaryLengthOffset);
        long newAddress = Allocate(StateEntry.HeaderSize + keyLength + secondaryLength + capacity, keyLength, secondaryLength);
        // Allocation may have compacted and moved the old entry; its slot is stable, so read it again.
        oldAddress = map.AddressAt(slot);
        oldSegment = _segments[StateEntry.SegmentOf(oldAddress)].Array;
        int oldOffset = StateEntry.OffsetOf(oldAddress);
        byte[] newSegment = _segments[StateEntry.SegmentOf(newAddress)].Array;
        int newOffset = StateEntry.OffsetOf(newAddress);
        oldSegment.AsSpan(oldOffset, StateEntry.HeaderSize + keyLength + secondaryLength + preservedValueBytes)
            .CopyTo(newSegment.AsSpan(newOffset));
        StateEntry.WriteInt(newSegment, newOffset, StateEntry.CapacityOffset, capacity);
        StateEntry.WriteInt(newSegment, newOffset, StateEntry.KeyGroupOffset, keyGroup);
        Free(oldAddress);
        map.SetAddress(slot, newAddress);
        _layoutStamp++;
        return newAddress;
    }

    private long Allocate(int size, int keyLength, int secondaryLength)
    {
        if (size > _segmentSize)
        {
            throw new InvalidOperationException(
                $"state '{_stateName}' of operator '{_operatorName}': a key of {keyLength} bytes and a namespace of {secondaryLength} bytes " +
                $"(with the {StateEntry.HeaderSize}-byte entry header, {size} bytes) do not fit into a managed memory segment of {_segmentSize} bytes; " +
                "keys and namespaces must be smaller than a segment (values may be larger).");
        }
        if (_writeSegment < 0 || _writeOffset + size > _segmentSize)
        {
            if (!TryStartSegment())
            {
                // Reclaim garbage in place before giving up; compaction needs no spare segment.
                if (_garbageBytes > 0 && _cowVersion < 0)
                {
                    CompactNow(); // not while pinned: then the pool's exhaustion shows
                }
                if ((_writeSegment < 0 || _writeOffset + size > _segmentSize) && !TryStartSegment())
                {
                    throw Exhausted();
                }
            }
        }
        long address = StateEntry.Address(_writeSegment, _writeOffset);
        _writeOffset += size;
        _segmentUsed[_writeSegment] = _writeOffset;
        _writtenBytes += size;
        return address;
    }

    private InvalidOperationException Exhausted() =>
        new($"managed memory exhausted: state '{_stateName}' of operator '{_operatorName}' needs another segment " +
            $"(pool '{_pool.Name}' has all {_pool.TotalSegments} segments of {_segmentSize} bytes in use); raise ManagedMemory in the configuration.");

    private bool TryStartSegment()
    {
        if (!_pool.TryRent(out var segment))
        {
            return false;
        }
        _segments.Add(segment);
        _segmentUsed.Add(0);
        _writeSegment = _segments.Count - 1;
        _writeOffset = 0;
        return true;
    }

    private MemorySegment[] ChainOf(byte[] segment, int offset) => _chains[ChainIdOf(segment, offset)]!;

    private static int ChainIdOf(byte[] segment, int offset) =>
        BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan(StateEntry.ValueStart(segment, offset), 4));

    /// <summary>Rents a chain able to hold <paramref name="bytes"/> and returns its id. May compact.</summary>
    private int NewChain(int bytes)
    {
        var chain = ResizeChain([], bytes);
        if (_freeChainIds.TryPop(out int id))
        {
            _chains[id] = chain;
            return id;
        }
        _chains.Add(chain);
        return _chains.Count - 1;
    }

    /// <summary>
    /// A chain with just enough segments for <paramref name="bytes"/>: rents the missing ones (compacting once
    /// if the pool is out) or returns the surplus. On failure the pool gets back what was rented here.
    /// </summary>
    private MemorySegment[] ResizeChain(MemorySegment[] chain, int bytes)
    {
        int count = (int)(((long)bytes + _segmentSize - 1) / _segmentSize);
        if (count == chain.Length)
        {
            return chain;
        }
        var resized = new MemorySegment[count];
        Array.Copy(chain, resized, Math.Min(count, chain.Length));
        for (int i = count; i < chain.Length; i++)
        {
            chain[i].Return();
        }
        for (int i = chain.Length; i < count; i++)
        {
            if (!_pool.TryRent(out resized[i]!))
            {
                if (_garbageBytes > 0 && _cowVersion < 0)
                {
                    CompactNow(); // not while pinned: then the pool's exhaustion shows
                }
                if (!_pool.TryRent(out resized[i]!))
                {
                    for (int j = chain.Length; j < i; j++)
                    {
                        resized[j].Return();
                    }
                    throw Exhausted();
                }
            }
        }
        _chainSegments += count - chain.Length;
        return resized;
    }

    private void ReleaseChain(int chainId)
    {
        var chain = _chains[chainId]!;
        foreach (var segment in chain)
        {
            segment.Return();
        }
        _chainSegments -= chain.Length;
        _chains[chainId] = null;
        _freeChainIds.Push(chainId);
    }

    private void WriteChain(MemorySegment[] chain, int position, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int offset = position % _segmentSize;
            int count = Math.Min(bytes.Length, _segmentSize - offset);
            bytes[..count].CopyTo(chain[position / _segmentSize].Array.AsSpan(offset));
            bytes = bytes[count..];
            position += count;
        }
    }

    private void ReadChain(MemorySegment[] chain, Span<byte> destination)
    {
        int position = 0;
        while (position < destination.Length)
        {
            int count = Math.Min(destination.Length - position, _segmentSize);
            chain[position / _segmentSize].Array.AsSpan(0, count).CopyTo(destination[position..]);
            position += count;
        }
    }

    private void Free(long address)
    {
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        if (StateEntry.ReadInt(segment, offset, StateEntry.VersionOffset) <= _cowVersion)
        {
            _deferredDead.Add(address); // a pinned snapshot still reads it
            return;
        }
        MarkDead(segment, offset);
    }

    private void MarkDead(byte[] segment, int offset)
    {
        _garbageBytes += StateEntry.SizeOf(segment, offset);
        StateEntry.WriteInt(segment, offset, StateEntry.ValueLengthOffset, StateEntry.Dead);
    }

    private void Stamp(BinaryStateMap map, byte[] segment, int offset)
    {
        StateEntry.WriteInt(segment, offset, StateEntry.VersionOffset, Version);
        map.LastModifiedVersion = Version;
    }

    // Called only at the end of an operation, when nobody holds an address into the segments.
    private void MaybeCompact()
    {
        if (_cowVersion >= 0)
        {
            return; // a pinned snapshot reads the segments as they are
        }
        if (_entryCount == 0)
        {
            if (_segments.Count > 0)
            {
                ReleaseSegmentsFrom(0);
                _writeSegment = -1;
                _writeOffset = 0;
                _writtenBytes = 0;
                _garbageBytes = 0;
            }
            return;
        }
        // Only worth it when at least a segment's worth can come back.
        if (_garbageBytes * 2 > _writtenBytes && _garbageBytes >= _segmentSize)
        {
            CompactNow();
        }
    }

    private void ReleaseSegmentsFrom(int first)
    {
        for (int i = _segments.Count - 1; i >= first; i--)
        {
            _segments[i].Return();
            _segments.RemoveAt(i);
            _segmentUsed.RemoveAt(i);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Every write starts here: one compare when no pin is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BeginWrite()
    {
        ThrowIfDisposed();
        if (_cowVersion >= 0)
        {
            PollReleases();
        }
    }

    /// <summary>
    /// Gives the pinned entry in <paramref name="slot"/> a copy of its own, stamped with the current version, so the
    /// caller may change it: same capacity, the value bytes kept when <paramref name="copyValue"/> (a large value gets a
    /// new chain, filled only when <paramref name="copyValue"/>). The old bytes and chain are freed when the pins go.
    /// </summary>
    private long CopyOnWrite(BinaryStateMap map, int slot, int keyGroup, bool copyValue)
    {
        long address = map.AddressAt(slot);
        byte[] segment = _segments[StateEntry.SegmentOf(address)].Array;
        int offset = StateEntry.OffsetOf(address);
        int capacity = StateEntry.ReadInt(segment, offset, StateEntry.CapacityOffset);
        int length = StateEntry.ReadInt(segment, offset, StateEntry.ValueLengthOffset);
        if (!StateEntry.IsLarge(segment, offset))
        {
            address = Relocate(map, slot, keyGroup, capacity, preservedValueBytes: length);
        }
        else
        {
            int oldChain = ChainIdOf(segment, offset);
            int newChain = NewChain(length);
            if (copyValue)
            {
                var source = _chains[oldChain]!;
                var target = _chains[newChain]!;
                for (int i = 0, remaining = length; remaining > 0; i++, remaining -= _segmentSize)
                {
                    source[i].Array.AsSpan(0, Math.Min(remaining, _segmentSize)).CopyTo(target[i].Array);
                }
            }
            try
            {
                address = Relocate(map, slot, keyGroup, capacity, preservedValueBytes: StateEntry.StubCapacity);
            }
            catch
            {
                ReleaseChain(newChain);
                throw;
            }
            segment = _segments[StateEntry.SegmentOf(address)].Array;
            BinaryPrimitives.WriteInt32LittleEndian(segment.AsSpan(StateEntry.ValueStart(segment, StateEntry.OffsetOf(address))), newChain);
            _deferredChains.Add(oldChain);
        }
        segment = _segments[StateEntry.SegmentOf(address)].Array;
        Stamp(map, segment, StateEntry.OffsetOf(address));
        return address;
    }

    /// <summary>
    /// Pins the current version for a snapshot (task thread; see the class remarks) and returns the view its writer
    /// reads. <paramref name="baseVersion"/>: the pinned version of the confirmed snapshot an incremental snapshot
    /// builds on, or -1 for a full one. From the first pin on the table logs removals for later incremental snapshots.
    /// </summary>
    internal BinaryStateTableSnapshot Pin(int baseVersion)
    {
        ThrowIfDisposed();
        PollReleases();
        _tombstones ??= new StateTombstoneLog();
        int version = Version;
        var chains = new MemorySegment[]?[_chains.Count];
        _chains.CopyTo(chains);
        var snapshot = new BinaryStateTableSnapshot(
            this, version, baseVersion, [.. _segments], [.. _segmentUsed], chains,
            _deferredDead.Count == 0 ? null : [.. _deferredDead], // removed under an older pin, not yet marked dead
            _tombstones.Bytes, _tombstones.Length, _segmentSize);
        lock (_pinLock)
        {
            _pins.Add(snapshot);
        }
        _cowVersion = version; // the newest pin protects every older one too
        Version++;
        return snapshot;
    }

    /// <summary>Called by <see cref="BinaryStateTableSnapshot.Release"/> on any thread.</summary>
    internal void ReleasePin(BinaryStateTableSnapshot pin)
    {
        List<MemorySegment>? orphans = null;
        lock (_pinLock)
        {
            if (pin.Released)
            {
                return;
            }
            pin.Released = true;
            _releaseSignal++;
            if (_disposed && _orphans is not null && _pins.TrueForAll(static p => p.Released))
            {
                orphans = _orphans;
                _orphans = null;
            }
        }
        // The table was disposed while this writer read it: its segments go back now, on the releasing thread.
        orphans?.ForEach(static s => s.Return());
    }

    /// <summary>
    /// Applies released pins now (task thread): when none is left, marks the deferred entries dead, returns their chains
    /// and runs a compaction that waited. Writes do this on their own; this is for a table that is only read.
    /// </summary>
    internal void ApplyReleasedPins()
    {
        ThrowIfDisposed();
        PollReleases();
    }

    /// <summary>Drops logged removals stamped at or below <paramref name="version"/>.</summary>
    public void PruneTombstones(int version) => _tombstones?.PruneUpTo(version);

    IStateTableSnapshot IStateTable.Pin(int baseVersion) => Pin(baseVersion);

    private void PollReleases()
    {
        if (Volatile.Read(ref _releaseSignal) == _seenReleaseSignal)
        {
            return;
        }
        int newest = -1;
        lock (_pinLock)
        {
            _seenReleaseSignal = _releaseSignal;
            _pins.RemoveAll(static p => p.Released);
            foreach (var pin in _pins)
            {
                newest = Math.Max(newest, pin.Version);
            }
        }
        // Entries stamped above the newest remaining pin lie outside every remaining pin's extent.
        _cowVersion = newest;
        if (newest >= 0)
        {
            return;
        }
        foreach (long address in _deferredDead)
        {
            MarkDead(_segments[StateEntry.SegmentOf(address)].Array, StateEntry.OffsetOf(address));
        }
        _deferredDead.Clear();
        foreach (int chainId in _deferredChains)
        {
            ReleaseChain(chainId);
        }
        _deferredChains.Clear();
        _layoutStamp++;
        if (_compactionPending)
        {
            _compactionPending = false;
            CompactNow();
        }
        else
        {
            MaybeCompact();
        }
    }
}
