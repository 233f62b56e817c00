using System.Buffers.Binary;
using DataflowCompiler.Memory;

namespace DataflowCompiler.State.Binary;

/// <summary>Visits the key and secondary (namespace) bytes of a live entry.</summary>
internal delegate void StateEntryVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary);

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
/// Room for checkpoints (not built yet): <see cref="Version"/> is stamped on every entry written and on
/// the key group's index. A copy-on-write snapshot will bump the version, keep the segments and index
/// slots it references, and make writers copy entries stamped with a pinned version instead of
/// overwriting or freeing them (and suspend compaction while a snapshot runs). Incremental checkpoints
/// compare each key group's <see cref="BinaryStateMap.LastModifiedVersion"/> with the last checkpoint.
/// </para>
/// Thread-confined to the task thread, like all keyed state.
/// </summary>
internal sealed class BinaryStateTable : IDisposable
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

    /// <summary>The version stamped on writes; snapshots will advance it (see the class remarks).</summary>
    public int Version { get; private set; }

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
        ThrowIfDisposed();
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
        if (stamp != _layoutStamp)
        {
            return GetOrInsertFixed(keyGroup, hash, key, secondary, valueSize, out _);
        }
        ThrowIfDisposed();
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
        if (stamp != _layoutStamp)
        {
            return Put(keyGroup, hash, key, secondary, value);
        }
        ThrowIfDisposed();
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
        ThrowIfDisposed();
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
        ThrowIfDisposed();
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
        ThrowIfDisposed();
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
            ReleaseChain(ChainIdOf(segment, offset));
        }
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

    /// <summary>Slides live entries to the front of the segments and returns the emptied segments to the pool.</summary>
    public void Compact()
    {
        ThrowIfDisposed();
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
        ReleaseSegmentsFrom(0);
        for (int id = 0; id < _chains.Count; id++)
        {
            if (_chains[id] is not null)
            {
                ReleaseChain(id);
            }
        }
        foreach (var map in _maps)
        {
            map?.Clear();
        }
        _entryCount = 0;
        _layoutStamp++;
        _disposed = true;
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
                if (_garbageBytes > 0)
                {
                    Compact();
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
                if (_garbageBytes > 0)
                {
                    Compact();
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
            Compact();
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
}
