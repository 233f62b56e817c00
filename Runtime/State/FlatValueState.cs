using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State.Binary;
using DataflowCompiler.State.Flat;

namespace DataflowCompiler.State;

/// <summary>
/// A keyed value state for rolling aggregates (fused <c>Reduce</c>/<c>Sum</c>/<c>Min</c>/<c>Max</c>) whose keys are
/// unmanaged values written as their raw bytes (<see cref="UnmanagedSerializer{T}"/>): the entries
/// <c>{ key, value, version stamp, key group }</c> live inline in a flat open-addressing table (linear probing, grown
/// by rehashing at 3/4 load) on the managed heap, not in the backend's memory segments. <see cref="GetOrAdd"/> finds a
/// key with one probe and a multiplicative hash of its raw bytes, without <c>SetCurrentKey</c>: the key's Murmur3
/// hash and key group are computed only when the key is inserted.
/// </summary>
/// <remarks>
/// <para>
/// Obtained through <see cref="TryCreate"/>, so the backend's snapshots include it: a snapshot writes the same records
/// a <see cref="IValueState{T}"/> of the same descriptor would (same name, kind, type fingerprint, key groups, hashes,
/// key and value bytes), so checkpoints and savepoints move freely between this state and the ordinary one.
/// </para>
/// <para>
/// Copy-on-write snapshots: the table is stored in fixed-size chunks. Pinning a snapshot copies only the array of chunk
/// references; the first write into a chunk after a pin clones that chunk, and a rehash builds new chunks anyway. An
/// entry is stamped with the table's version whenever <see cref="GetOrAdd"/> returns it, so an incremental snapshot
/// writes only the entries touched since its base.
/// </para>
/// <para>
/// Entries are never removed (the rolling aggregates never clear their state), so there is no removal, no tombstone
/// and no null value (<typeparamref name="TValue"/> is a non-nullable value type). Thread-confined to the task thread;
/// snapshot views are written on any thread.
/// </para>
/// </remarks>
public sealed class FlatValueState<TKey, TValue> : IFlatState<TKey>
    where TKey : unmanaged
    where TValue : struct
{
    private const int InitialCapacity = 16;

    // Entries per chunk: a power of two that keeps a chunk under 64 KiB (off the large object heap), at most 1024.
    private static readonly int ChunkShift = Math.Min(10, BitOperations.Log2((uint)(65536 / Unsafe.SizeOf<FlatEntry<TKey, TValue>>())));
    private static readonly int ChunkMask = (1 << ChunkShift) - 1;

    private readonly string _operatorName;
    private readonly KeyGroupRange _keyGroupRange;
    private readonly int _maxParallelism;
    private readonly IRecordSerializer<TValue> _serializer;

    private FlatEntry<TKey, TValue>[][] _chunks;
    private int[] _chunkEpochs; // the pin epoch each chunk was last cloned or created in; equal to _pinEpoch: no snapshot shares it
    private int _mask; // capacity - 1
    private int _hashShift; // 64 - log2(capacity): the multiplicative hash keeps the top bits
    private int _count;
    private int _growAt;
    private int _version = 1; // stamped on writes; Pin advances it
    private bool _disposed;

    // Copy-on-write (see the remarks). Entries stamped <= _cowVersion may sit in a chunk a pinned snapshot reads; 0 without pins.
    private readonly object _pinLock = new(); // guards _pins and the pins' Released flags across threads
    private readonly List<FlatStateTableSnapshot<TKey, TValue>> _pins = new();
    private int _cowVersion;
    private int _pinEpoch;
    private int _releaseSignal; // bumped under _pinLock by Release on any thread
    private int _seenReleaseSignal;

    private FlatValueState(ValueStateDescriptor<TValue> descriptor, string operatorName, KeyGroupRange keyGroupRange, int maxParallelism,
        IRecordSerializer<TValue> serializer)
    {
        Descriptor = descriptor;
        _operatorName = operatorName;
        _keyGroupRange = keyGroupRange;
        _maxParallelism = maxParallelism;
        _serializer = serializer;
        _chunks = [];
        _chunkEpochs = [];
        Allocate(InitialCapacity);
    }

    /// <summary>
    /// The flat state of <paramref name="descriptor"/> in <paramref name="backend"/>, registered there so its snapshots
    /// include it (the same instance when asked again), or null when the backend's key serializer does not write the
    /// key's raw bytes or the name is already taken by an ordinary state; the caller then uses
    /// <see cref="BinaryKeyedStateBackend{TKey}.GetInPlaceValueState{T}"/>. A state of this name restored from a
    /// snapshot is copied in (its kind and types must match, as for the ordinary getters); null also when the restored
    /// entries do not fit a flat state (a namespace other than the default one).
    /// </summary>
    public static FlatValueState<TKey, TValue>? TryCreate(BinaryKeyedStateBackend<TKey> backend, ValueStateDescriptor<TValue> descriptor)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!backend.HasRawKeys)
        {
            return null;
        }
        if (backend.TryGetFlatState(descriptor.Name, out var existing))
        {
            return existing as FlatValueState<TKey, TValue> ?? throw new InvalidOperationException(
                $"state '{descriptor.Name}' of operator '{backend.OperatorName}' is already registered as a flat value state with other types " +
                $"({existing.Descriptor.GetType().Name} vs {descriptor.GetType().Name}); give each state its own name.");
        }
        if (backend.HasState(descriptor.Name))
        {
            return null;
        }
        var serializer = backend.ResolveSerializer(descriptor.Serializer, descriptor, "value");
        var state = new FlatValueState<TKey, TValue>(descriptor, backend.OperatorName, backend.KeyGroupRange, backend.MaxParallelism, serializer);
        var restored = backend.RestoredTable(descriptor);
        if (restored is not null && !state.CopyFrom(restored))
        {
            return null;
        }
        backend.RegisterFlatState(state);
        return state;
    }

    /// <summary>The descriptor the state was created with.</summary>
    public StateDescriptor Descriptor { get; }

    /// <summary>Keys with a value.</summary>
    public long EntryCount => _count;

    /// <summary>Slots in the table (a power of two; grows at 3/4 load).</summary>
    public int Capacity => _mask + 1;

    /// <summary>
    /// The value slot of <paramref name="key"/>: the existing one (<paramref name="exists"/>), or a new one holding
    /// <c>default</c> that the caller fills. One probe. The entry is stamped as written (the caller is about to change
    /// it). The reference is valid until the next call on this state; write through it before anything else touches the
    /// state. A new key must belong to the backend's key groups, else this throws as <c>SetCurrentKey</c> does and
    /// nothing is inserted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(TKey key, out bool exists)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var chunks = _chunks;
        int mask = _mask;
        int slot = SlotOf(key);
        while (true)
        {
            ref var entry = ref chunks[slot >> ChunkShift][slot & ChunkMask];
            if (entry.Stamp == 0)
            {
                exists = false;
                return ref Insert(key);
            }
            if (KeyEquals(entry.Key, key))
            {
                exists = true;
                if (entry.Stamp <= _cowVersion)
                {
                    return ref ExistingUnderPin(slot).Value;
                }
                entry.Stamp = _version;
                return ref entry.Value;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>
    /// Asks the CPU to start loading the table slot <paramref name="key"/> hashes to, without waiting for it. The fused
    /// head of a flat-state chain calls this for a few records ahead of the one it updates, so the cache misses of a
    /// large table overlap instead of stalling one record at a time. Only a hint: it changes nothing and never faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(TKey key)
    {
        if (Sse.IsSupported)
        {
            int slot = SlotOf(key);
            // The array may move before the hint executes; a stale address only makes the hint useless.
            Sse.Prefetch0(Unsafe.AsPointer(ref _chunks[slot >> ChunkShift][slot & ChunkMask]));
        }
    }

    /// <summary>The value of <paramref name="key"/>, if it has one. Does not stamp the entry.</summary>
    public bool TryGetValue(TKey key, out TValue value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int slot = Find(key);
        if (slot < 0)
        {
            value = default;
            return false;
        }
        value = _chunks[slot >> ChunkShift][slot & ChunkMask].Value;
        return true;
    }

    /// <summary>Every key with a value. The state must not be written while this is enumerated.</summary>
    public IEnumerable<TKey> Keys()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var chunk in _chunks)
        {
            for (int i = 0; i < chunk.Length; i++)
            {
                if (chunk[i].Stamp != 0)
                {
                    yield return chunk[i].Key;
                }
            }
        }
    }

    /// <summary>Drops the table; the state is unusable afterwards. Snapshot views still being written keep their chunks.</summary>
    public void Dispose()
    {
        _disposed = true;
        _chunks = [];
        _chunkEpochs = [];
        _count = 0;
    }

    /// <summary>Pins the current version (task thread): see the remarks and <see cref="IStateTable.Pin"/>.</summary>
    internal FlatStateTableSnapshot<TKey, TValue> Pin(int baseVersion)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PollReleases();
        var snapshot = new FlatStateTableSnapshot<TKey, TValue>(this, _version, baseVersion, [.. _chunks], _serializer);
        lock (_pinLock)
        {
            _pins.Add(snapshot);
        }
        _cowVersion = _version; // the newest pin protects every older one too
        _pinEpoch++; // every chunk is now shared with the snapshot
        _version++;
        return snapshot;
    }

    IStateTableSnapshot IStateTable.Pin(int baseVersion) => Pin(baseVersion);

    /// <summary>Nothing to prune: a flat state logs no removals.</summary>
    void IStateTable.PruneTombstones(int version)
    {
    }

    /// <summary>Called by <see cref="FlatStateTableSnapshot{TKey, TValue}.Release"/> on any thread.</summary>
    internal void ReleasePin(FlatStateTableSnapshot<TKey, TValue> pin)
    {
        lock (_pinLock)
        {
            if (pin.Released)
            {
                return;
            }
            pin.Released = true;
            _releaseSignal++;
        }
    }

    /// <summary>The existing entry in <paramref name="slot"/> of a chunk a snapshot may still read: clones the chunk first if so, then stamps.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref FlatEntry<TKey, TValue> ExistingUnderPin(int slot)
    {
        ref var entry = ref PrivateChunk(slot >> ChunkShift)[slot & ChunkMask];
        entry.Stamp = _version;
        return ref entry;
    }

    /// <summary>Inserts <paramref name="key"/> (known to be absent) with a default value and returns its entry.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue Insert(TKey key)
    {
        // As BinaryKeyedStateBackend.SetCurrentKey: Murmur3 of the bytes UnmanagedSerializer writes, then the key group.
        int keyGroup = KeyGroupRangeAssignment.ComputeKeyGroupForKeyHash(StableHash.Murmur3(KeyBytes(key)), _maxParallelism);
        if (!_keyGroupRange.Contains(keyGroup))
        {
            throw new InvalidOperationException(
                $"operator '{_operatorName}': key '{key}' belongs to key group {keyGroup}, which is outside this subtask's {_keyGroupRange} " +
                $"(max parallelism {_maxParallelism}). The record was routed to the wrong subtask, or the key's serializer does not write the same bytes for equal keys.");
        }
        ref var entry = ref Place(key, keyGroup);
        return ref entry.Value;
    }

    /// <summary>Puts a new entry for the absent <paramref name="key"/> into a private chunk, growing first at 3/4 load.</summary>
    private ref FlatEntry<TKey, TValue> Place(TKey key, int keyGroup)
    {
        if (_count >= _growAt)
        {
            Grow();
        }
        int slot = SlotOf(key);
        while (_chunks[slot >> ChunkShift][slot & ChunkMask].Stamp != 0)
        {
            slot = (slot + 1) & _mask;
        }
        ref var entry = ref (_cowVersion > 0 ? PrivateChunk(slot >> ChunkShift) : _chunks[slot >> ChunkShift])[slot & ChunkMask];
        entry.Key = key;
        entry.Value = default;
        entry.KeyGroup = keyGroup;
        entry.Stamp = _version;
        _count++;
        return ref entry;
    }

    /// <summary>Chunk <paramref name="index"/>, cloned first if a snapshot pinned since its last clone may still read it.</summary>
    private FlatEntry<TKey, TValue>[] PrivateChunk(int index)
    {
        if (_chunkEpochs[index] != _pinEpoch)
        {
            PollReleases();
            if (_cowVersion > 0)
            {
                _chunks[index] = (FlatEntry<TKey, TValue>[])_chunks[index].Clone();
            }
            _chunkEpochs[index] = _pinEpoch;
        }
        return _chunks[index];
    }

    private void PollReleases()
    {
        if (Volatile.Read(ref _releaseSignal) == _seenReleaseSignal)
        {
            return;
        }
        int newest = 0;
        lock (_pinLock)
        {
            _seenReleaseSignal = _releaseSignal;
            _pins.RemoveAll(static p => p.Released);
            foreach (var pin in _pins)
            {
                newest = Math.Max(newest, pin.Version);
            }
        }
        _cowVersion = newest;
    }

    /// <summary>Doubles the capacity: every entry moves into new chunks (which no snapshot shares), keeping its stamp.</summary>
    private void Grow()
    {
        var old = _chunks;
        Allocate(checked(Capacity * 2));
        foreach (var chunk in old)
        {
            foreach (ref readonly var entry in chunk.AsSpan())
            {
                if (entry.Stamp == 0)
                {
                    continue;
                }
                int slot = SlotOf(entry.Key);
                while (_chunks[slot >> ChunkShift][slot & ChunkMask].Stamp != 0)
                {
                    slot = (slot + 1) & _mask;
                }
                _chunks[slot >> ChunkShift][slot & ChunkMask] = entry;
            }
        }
    }

    private void Allocate(int capacity)
    {
        int chunkSize = Math.Min(capacity, 1 << ChunkShift);
        var chunks = new FlatEntry<TKey, TValue>[capacity / chunkSize][];
        for (int i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new FlatEntry<TKey, TValue>[chunkSize];
        }
        _chunks = chunks;
        _chunkEpochs = new int[chunks.Length];
        Array.Fill(_chunkEpochs, _pinEpoch);
        _mask = capacity - 1;
        _hashShift = 64 - BitOperations.Log2((uint)capacity);
        _growAt = capacity / 4 * 3;
    }

    private int Find(TKey key)
    {
        int slot = SlotOf(key);
        while (true)
        {
            ref readonly var entry = ref _chunks[slot >> ChunkShift][slot & ChunkMask];
            if (entry.Stamp == 0)
            {
                return -1;
            }
            if (KeyEquals(entry.Key, key))
            {
                return slot;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Adopts a restored binary table of the same state: copies its entries and disposes it. False (nothing disposed)
    /// when an entry does not fit: a namespace other than the default one, or a key of another size.
    /// </summary>
    private bool CopyFrom(BinaryStateTable restored)
    {
        bool fits = true;
        restored.ForEachEntry((_, key, secondary, _) => fits &= secondary.IsEmpty && key.Length == Unsafe.SizeOf<TKey>());
        if (!fits)
        {
            return false;
        }
        // Stamp the copies above every version the restored table had, so a base version recorded for it (a snapshot
        // taken before this state was asked for) cannot hide them from the next incremental snapshot.
        _version = Math.Max(_version, restored.Version + 1);
        restored.ForEachEntry((keyGroup, key, _, value) =>
        {
            var input = new DataInputView(value);
            Place(MemoryMarshal.Read<TKey>(key), keyGroup).Value = _serializer.Deserialize(ref input);
        });
        return true;
    }

    /// <summary>Multiplicative (Fibonacci) hashing of the raw key bytes (<see cref="RawKey{TKey}.Hash"/>): its top bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(TKey key) => (int)(RawKey<TKey>.Hash(ref key) >> _hashShift);

    /// <summary>Bitwise equality, as the binary backend compares serialized keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool KeyEquals(TKey a, TKey b) => RawKey<TKey>.Equal(ref a, ref b);

    /// <summary>The bytes <see cref="UnmanagedSerializer{T}"/> writes for <paramref name="key"/> (a view of the parameter's copy).</summary>
    private static ReadOnlySpan<byte> KeyBytes(in TKey key) => MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key));
}
