using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State.Binary;
using DataflowCompiler.State.Flat;

namespace DataflowCompiler.State;

/// <summary>
/// The default keyed state backend: every entry is kept in binary form in memory segments rented from the
/// task manager's managed memory pool (no object per entry), indexed per state and key group
/// (see <see cref="BinaryStateTable"/> for the layout). Reads deserialize from the segment bytes, so values of
/// unmanaged types are read and written without allocating. The pool bounds the memory: when it runs out, the
/// state access throws instead of allocating outside it. A key and its namespace must fit into one segment; a
/// value that does not fit next to them spans a chain of segments and is copied into a reused buffer when read.
/// The one exception: a <see cref="FlatValueState{TKey, TValue}"/> (fused rolling aggregates over raw keys) keeps its
/// entries in a flat table on the managed heap; the backend snapshots and restores it with the others, in the same
/// record format. Thread-confined to the task thread.
/// </summary>
public sealed partial class BinaryKeyedStateBackend<TKey> : IKeyedStateBackend<TKey>
{
    private static readonly bool KeyCanBeNull = default(TKey) is null;

    private readonly string _operatorName;
    private readonly IRecordSerializer<TKey> _keySerializer;
    private readonly MemorySegmentPool _managedMemory;
    private readonly SerializerRegistry _serializers;
    private readonly KeyContext _keyContext;
    private readonly int _rawKeySize; // > 0: the key serializer copies the key's raw bytes (UnmanagedSerializer)
    private readonly Dictionary<string, BinaryKeyedState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IFlatState<TKey>> _flatStates = new(StringComparer.Ordinal); // see FlatValueState
    private readonly Dictionary<string, TableInfo> _tables = new(StringComparer.Ordinal); // every table, restored or registered
    private readonly Dictionary<long, Dictionary<string, int>> _pendingSnapshots = new(); // checkpoint id -> pinned version per table
    private long _baseCheckpointId = -1; // the last confirmed snapshot, base of incremental ones
    private Dictionary<string, int>? _baseVersions;
    private TKey _currentKey = default!;
    private bool _disposed;

    /// <param name="operatorName">Name (or uid) of the operator, used in error messages.</param>
    /// <param name="keyGroupRange">The key groups this subtask owns.</param>
    /// <param name="maxParallelism">The job's max parallelism (number of key groups), 1..32768.</param>
    /// <param name="managedMemory">The pool every state entry lives in.</param>
    /// <param name="serializers">Resolves the serializers that descriptors leave out.</param>
    /// <param name="keySerializer">The key serializer; null resolves it from <paramref name="serializers"/>.</param>
    public BinaryKeyedStateBackend(
        string operatorName, KeyGroupRange keyGroupRange, int maxParallelism, MemorySegmentPool managedMemory,
        SerializerRegistry serializers, IRecordSerializer<TKey>? keySerializer = null)
    {
        ArgumentNullException.ThrowIfNull(operatorName);
        ArgumentNullException.ThrowIfNull(managedMemory);
        ArgumentNullException.ThrowIfNull(serializers);
        if (maxParallelism < 1 || maxParallelism > KeyGroupRangeAssignment.UpperBoundMaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism,
                $"Max parallelism of operator '{operatorName}' must be between 1 and {KeyGroupRangeAssignment.UpperBoundMaxParallelism}.");
        }
        if (keyGroupRange.StartKeyGroup < 0 || keyGroupRange.EndKeyGroup >= maxParallelism || keyGroupRange.Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(keyGroupRange), keyGroupRange,
                $"Key group range of operator '{operatorName}' must be a non-empty part of 0..{maxParallelism - 1}.");
        }
        _operatorName = operatorName;
        KeyGroupRange = keyGroupRange;
        MaxParallelism = maxParallelism;
        _managedMemory = managedMemory;
        _serializers = serializers;
        _keyContext = new KeyContext(operatorName);
        if (keySerializer is null && !serializers.TryGet(out keySerializer))
        {
            throw new SerializationException(
                $"operator '{operatorName}': no serializer for its key type '{typeof(TKey).FullName}'. Register one with SerializerRegistry.Register<{typeof(TKey).Name}>(...).");
        }
        _keySerializer = keySerializer;
        _rawKeySize = RawKey<TKey>.IsRaw(keySerializer) ? RawKey<TKey>.Size : 0;
    }

    /// <inheritdoc />
    public KeyGroupRange KeyGroupRange { get; }

    /// <inheritdoc />
    public int MaxParallelism { get; }

    /// <inheritdoc />
    public TKey CurrentKey
    {
        get
        {
            _keyContext.EnsureKey("(current key)");
            return _currentKey;
        }
    }

    /// <inheritdoc />
    public int CurrentKeyGroup
    {
        get
        {
            _keyContext.EnsureKey("(current key group)");
            return _keyContext.KeyGroup;
        }
    }

    /// <inheritdoc />
    public long EntryCount
    {
        get
        {
            long count = 0;
            foreach (var state in _states.Values)
            {
                count += state.EntryCount;
            }
            foreach (var state in _flatStates.Values)
            {
                count += state.EntryCount;
            }
            return count;
        }
    }

    /// <inheritdoc />
    public void SetCurrentKey(TKey key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The flag keeps unoptimized (tier-0) code from boxing value-type keys for the null check.
        if (KeyCanBeNull && key is null)
        {
            throw new ArgumentNullException(nameof(key), $"operator '{_operatorName}': keys must not be null.");
        }
        _keyContext.HasKey = false;
        _keyContext.Epoch++;
        var bytes = _keyContext.KeyBytes;
        bytes.Clear();
        if (_rawKeySize > 0)
        {
            // The bytes UnmanagedSerializer<TKey> writes, without the call through IRecordSerializer (the writer
            // is sealed, so these interface calls are direct).
            IBufferWriter<byte> writer = bytes;
            Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(writer.GetSpan(_rawKeySize)), key);
            writer.Advance(_rawKeySize);
        }
        else
        {
            _keySerializer.Serialize(key, bytes);
        }
        int hash = StableHash.Murmur3(bytes.WrittenSpan);
        int keyGroup = KeyGroupRangeAssignment.ComputeKeyGroupForKeyHash(hash, MaxParallelism);
        if (!KeyGroupRange.Contains(keyGroup))
        {
            ThrowKeyOutsideRange(key, keyGroup);
        }
        _keyContext.KeyHash = hash;
        _keyContext.KeyGroup = keyGroup;
        _keyContext.HasKey = true;
        _currentKey = key;
    }

    /// <inheritdoc />
    public IValueState<T> GetValueState<T>(ValueStateDescriptor<T> descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting<IValueState<T>>(descriptor, out var existing))
        {
            return existing;
        }
        var serializer = Resolve(descriptor.Serializer, descriptor, "value");
        return Register(new BinaryValueState<T>(descriptor, serializer, _keyContext, TableFor(descriptor)));
    }

    /// <inheritdoc />
    public InPlaceValueState<T> GetInPlaceValueState<T>(ValueStateDescriptor<T> descriptor) =>
        new((BinaryValueState<T>)GetValueState(descriptor));

    /// <inheritdoc />
    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting<IListState<T>>(descriptor, out var existing))
        {
            return existing;
        }
        var serializer = Resolve(descriptor.Serializer, descriptor, "element");
        return Register(new BinaryListState<T>(descriptor, serializer, _keyContext, TableFor(descriptor)));
    }

    /// <inheritdoc />
    public IMapState<TUK, TUV> GetMapState<TUK, TUV>(MapStateDescriptor<TUK, TUV> descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting<IMapState<TUK, TUV>>(descriptor, out var existing))
        {
            return existing;
        }
        var keySerializer = Resolve(descriptor.KeySerializer, descriptor, "user key");
        var valueSerializer = Resolve(descriptor.ValueSerializer, descriptor, "user value");
        return Register(new BinaryMapState<TUK, TUV>(
            descriptor, keySerializer, valueSerializer, _keyContext, TableFor(descriptor), TableFor(descriptor, DirectoryRole)));
    }

    /// <inheritdoc />
    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting<IReducingState<T>>(descriptor, out var existing))
        {
            return existing;
        }
        var serializer = Resolve(descriptor.Serializer, descriptor, "value");
        return Register(new BinaryReducingState<T>(descriptor, serializer, _keyContext, TableFor(descriptor)));
    }

    /// <inheritdoc />
    public IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting<IAggregatingState<TIn, TOut>>(descriptor, out var existing))
        {
            return existing;
        }
        var serializer = Resolve(descriptor.AccumulatorSerializer, descriptor, "accumulator");
        return Register(new BinaryAggregatingState<TIn, TAcc, TOut>(descriptor, serializer, _keyContext, TableFor(descriptor)));
    }

    /// <inheritdoc />
    public IEnumerable<TKey> GetKeys(string stateName)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_flatStates.TryGetValue(stateName, out var flat))
        {
            return new HashSet<TKey>(flat.Keys());
        }
        if (!_states.TryGetValue(stateName, out var state))
        {
            throw new ArgumentException($"operator '{_operatorName}' has no state named '{stateName}'.", nameof(stateName));
        }
        var keys = new HashSet<TKey>();
        state.KeysTable.ForEachEntry((key, _) =>
        {
            var input = new DataInputView(key);
            keys.Add(_keySerializer.Deserialize(ref input));
        });
        return keys;
    }

    /// <summary>
    /// The synchronous phase of a checkpoint (task thread): pins every table copy-on-write and returns the snapshot whose
    /// <see cref="KeyedStateSnapshot.WriteTo"/> streams it from any thread. With <paramref name="incremental"/> and a
    /// confirmed earlier snapshot (<see cref="NotifyCheckpointComplete"/>) only the changes since that one are written;
    /// otherwise everything.
    /// </summary>
    internal KeyedStateSnapshot Snapshot(long checkpointId, bool incremental)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (checkpointId < 0 || _pendingSnapshots.ContainsKey(checkpointId) || checkpointId <= _baseCheckpointId)
        {
            throw new ArgumentOutOfRangeException(nameof(checkpointId), checkpointId,
                $"operator '{_operatorName}': checkpoint ids must be new, non-negative and above the last completed one ({_baseCheckpointId}).");
        }
        var baseVersions = incremental ? _baseVersions : null;
        var parts = new List<KeyedStateSnapshot.Part>(_tables.Count);
        foreach (var (name, info) in _tables)
        {
            // A table created after the base holds only entries the base has not seen.
            int baseVersion = baseVersions is not null && baseVersions.TryGetValue(name, out int version) ? version : -1;
            parts.Add(new KeyedStateSnapshot.Part(name, info.StateName, info.Role, info.Kind, info.Fingerprint, info.Table.Pin(baseVersion)));
        }
        var snapshot = new KeyedStateSnapshot(checkpointId, baseVersions is null ? -1 : _baseCheckpointId, MaxParallelism, KeyGroupRange, parts);
        _pendingSnapshots.Add(checkpointId, snapshot.PinnedVersions());
        return snapshot;
    }

    /// <summary>
    /// The checkpoint is complete: its snapshot becomes the base of the next incremental one (unless a later one already
    /// is), older pending snapshots are subsumed, and removals its base makes obsolete are forgotten.
    /// </summary>
    internal void NotifyCheckpointComplete(long checkpointId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_pendingSnapshots.Remove(checkpointId, out var versions) || checkpointId <= _baseCheckpointId)
        {
            return;
        }
        _baseCheckpointId = checkpointId;
        _baseVersions = versions;
        foreach (long older in _pendingSnapshots.Keys.Where(id => id < checkpointId).ToList())
        {
            _pendingSnapshots.Remove(older);
        }
        PruneTombstones();
    }

    /// <summary>The checkpoint will not complete: its snapshot never becomes a base.</summary>
    internal void NotifyCheckpointAborted(long checkpointId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pendingSnapshots.Remove(checkpointId))
        {
            PruneTombstones();
        }
    }

    /// <summary>
    /// Replaces the (empty) state with the snapshots in <paramref name="chains"/>: each inner list is one old subtask's
    /// chain, a full snapshot followed by its incremental ones in order (several chains when rescaling). Entries outside
    /// this backend's <see cref="KeyGroupRange"/> are skipped. The states are recreated as tables that the state getters
    /// adopt by name. The next snapshot is full.
    /// </summary>
    internal void Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_tables.Count > 0 || _pendingSnapshots.Count > 0 || _baseVersions is not null)
        {
            throw new InvalidOperationException($"operator '{_operatorName}': keyed state is restored once, before any state is used or snapshotted.");
        }
        foreach (var chain in chains)
        {
            long previous = -1;
            for (int i = 0; i < chain.Count; i++)
            {
                using var stream = new BufferedStream(chain[i](), 64 * 1024);
                previous = RestoreOne(stream, i == 0, previous);
            }
        }
    }

    private long RestoreOne(Stream stream, bool first, long previous)
    {
        var input = new SnapshotReader(stream);
        if (input.ReadInt32() != KeyedStateSnapshot.Magic || input.ReadInt32() != KeyedStateSnapshot.FormatVersion)
        {
            throw new InvalidDataException($"operator '{_operatorName}': not a keyed state snapshot of format {KeyedStateSnapshot.FormatVersion}.");
        }
        bool incremental = (input.ReadInt32() & KeyedStateSnapshot.IncrementalFlag) != 0;
        long checkpointId = input.ReadInt64();
        long baseCheckpointId = input.ReadInt64();
        if (first == incremental || (incremental && baseCheckpointId != previous))
        {
            throw new InvalidDataException(
                $"operator '{_operatorName}': snapshot of checkpoint {checkpointId} is out of order in its chain: a chain starts with a full snapshot " +
                $"and each incremental one builds on the one before (it builds on {baseCheckpointId}, the one before is {previous}).");
        }
        int maxParallelism = input.ReadInt32();
        if (maxParallelism != MaxParallelism)
        {
            throw new InvalidDataException(
                $"operator '{_operatorName}': the snapshot was taken with max parallelism {maxParallelism}, this job has {MaxParallelism}; key groups cannot be mapped.");
        }
        input.ReadInt32(); // the old subtask's key group range: informational
        input.ReadInt32();
        int tableCount = input.ReadInt32();
        for (int t = 0; t < tableCount; t++)
        {
            string tableName = input.ReadString();
            string stateName = input.ReadString();
            int role = input.ReadInt32();
            string kind = input.ReadString();
            string fingerprint = input.ReadString();
            if (!_tables.TryGetValue(tableName, out var info))
            {
                info = new TableInfo(stateName, role, kind, fingerprint, new BinaryStateTable(tableName, _operatorName, _managedMemory, KeyGroupRange));
                _tables.Add(tableName, info);
            }
            else if (info.Kind != kind || info.Fingerprint != fingerprint)
            {
                throw new InvalidDataException(
                    $"operator '{_operatorName}': state '{stateName}' appears in the snapshots as {info.Kind} state of '{info.Fingerprint}' and as {kind} state of '{fingerprint}'.");
            }
            RestoreRecords(input, (BinaryStateTable)info.Table, tableName); // restored tables are binary until a flat state adopts one
        }
        if (input.ReadInt32() != KeyedStateSnapshot.Magic)
        {
            throw new InvalidDataException($"operator '{_operatorName}': the snapshot of checkpoint {checkpointId} does not end where it should (corrupt).");
        }
        return checkpointId;
    }

    private void RestoreRecords(SnapshotReader input, BinaryStateTable table, string tableName)
    {
        long records = 0;
        while (true)
        {
            byte tag = input.ReadByte();
            if (tag == BinaryStateTableSnapshot.EndTag)
            {
                if (input.ReadInt64() != records)
                {
                    throw new InvalidDataException($"operator '{_operatorName}': table '{tableName}' of the snapshot is corrupt (record count).");
                }
                return;
            }
            int keyGroup = input.ReadInt32();
            int hash = input.ReadInt32();
            int keyLength = input.ReadLength();
            int secondaryLength = input.ReadLength();
            records++;
            if (tag == BinaryStateTableSnapshot.TombstoneTag)
            {
                var bytes = input.ReadBytes(keyLength + secondaryLength);
                if (KeyGroupRange.Contains(keyGroup))
                {
                    table.Remove(keyGroup, hash, bytes[..keyLength], bytes[keyLength..]);
                }
            }
            else if (tag == BinaryStateTableSnapshot.EntryTag)
            {
                int valueLength = input.ReadLength();
                var bytes = input.ReadBytes(keyLength + secondaryLength + valueLength);
                if (KeyGroupRange.Contains(keyGroup))
                {
                    table.Put(keyGroup, hash, bytes[..keyLength], bytes.Slice(keyLength, secondaryLength), bytes[(keyLength + secondaryLength)..]);
                }
            }
            else
            {
                throw new InvalidDataException($"operator '{_operatorName}': table '{tableName}' of the snapshot is corrupt (record tag {tag}).");
            }
        }
    }

    /// <summary>Removals at or below the oldest version a future incremental snapshot can build on are obsolete.</summary>
    private void PruneTombstones()
    {
        foreach (var (name, info) in _tables)
        {
            int floor = int.MaxValue; // nothing pending or confirmed: no later snapshot needs any removal logged so far
            if (_baseVersions is not null && _baseVersions.TryGetValue(name, out int baseVersion))
            {
                floor = baseVersion;
            }
            foreach (var pending in _pendingSnapshots.Values)
            {
                if (pending.TryGetValue(name, out int version))
                {
                    floor = Math.Min(floor, version);
                }
            }
            info.Table.PruneTombstones(floor);
        }
    }

    /// <summary>The key serializer (timer snapshots write keys with it).</summary>
    internal IRecordSerializer<TKey> KeySerializer => _keySerializer;

    /// <summary>Every table, for tests (restored ones included).</summary>
    internal IEnumerable<BinaryStateTable> AllTables => _tables.Values.Select(static t => t.Table).OfType<BinaryStateTable>();

    /// <summary>Compactions over all states so far (tests prove compaction ran).</summary>
    internal int CompactionCount => _states.Values.Sum(static s => s.Tables.Sum(static t => t.CompactionCount));

    /// <summary>Compacts every state's table now (tests).</summary>
    internal void CompactAll()
    {
        foreach (var state in _states.Values)
        {
            foreach (var table in state.Tables)
            {
                table.Compact();
            }
        }
    }

    /// <summary>Segments held by all states (tests prove segments come back).</summary>
    internal int SegmentCount => _states.Values.Sum(static s => s.Tables.Sum(static t => t.SegmentCount));

    /// <summary>Returns every memory segment of every state to the managed pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var state in _states.Values)
        {
            state.Dispose();
        }
        foreach (var info in _tables.Values)
        {
            info.Table.Dispose(); // flat states, and restored tables no state adopted yet
        }
    }

    private bool TryGetExisting<TState>(StateDescriptor descriptor, out TState state)
        where TState : class
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_states.TryGetValue(descriptor.Name, out var existing))
        {
            state = null!;
            return false;
        }
        if (existing.Descriptor.Kind != descriptor.Kind)
        {
            throw new InvalidOperationException(
                $"state '{descriptor.Name}' of operator '{_operatorName}' is already registered as {existing.Descriptor.Kind} state and cannot also be " +
                $"used as {descriptor.Kind} state; give each state its own name.");
        }
        state = existing as TState ?? throw new InvalidOperationException(
            $"state '{descriptor.Name}' of operator '{_operatorName}' is already registered as {existing.Descriptor.Kind} state with other types " +
            $"({existing.Descriptor.GetType().Name} vs {descriptor.GetType().Name}); give each state its own name.");
        return true;
    }

    private TState Register<TState>(TState state)
        where TState : BinaryKeyedState
    {
        _states.Add(state.Descriptor.Name, state);
        return state;
    }

    private const int EntriesRole = 0;
    private const int DirectoryRole = 1; // a map state's second table

    /// <summary>
    /// The table of <paramref name="descriptor"/>'s state in <paramref name="role"/>: the restored one if a snapshot held
    /// it (its kind and type fingerprint must match), else a new one.
    /// </summary>
    private BinaryStateTable TableFor(StateDescriptor descriptor, int role = EntriesRole)
    {
        string tableName = role == EntriesRole ? descriptor.Name : descriptor.Name + " (directory)";
        string fingerprint = Fingerprint(descriptor);
        if (_tables.TryGetValue(tableName, out var restored))
        {
            if (restored.Kind != descriptor.Kind)
            {
                throw new InvalidOperationException(
                    $"state '{descriptor.Name}' of operator '{_operatorName}' was restored from a snapshot as {restored.Kind} state but is now " +
                    $"asked for as {descriptor.Kind} state; use the kind it was written with, or give the new state another name.");
            }
            if (restored.Fingerprint != fingerprint)
            {
                throw new InvalidOperationException(
                    $"state '{descriptor.Name}' ({descriptor.Kind}) of operator '{_operatorName}' was restored from a snapshot written with types " +
                    $"'{restored.Fingerprint}' but is now asked for with '{fingerprint}'; its bytes cannot be read with other types.");
            }
            return restored.Table as BinaryStateTable ?? throw new InvalidOperationException(
                $"state '{descriptor.Name}' of operator '{_operatorName}' is held by a flat value state (FlatValueState, a fused rolling aggregate); " +
                "it cannot also be used as ordinary keyed state; give each state its own name.");
        }
        var table = new BinaryStateTable(tableName, _operatorName, _managedMemory, KeyGroupRange);
        _tables.Add(tableName, new TableInfo(descriptor.Name, role, descriptor.Kind, fingerprint, table));
        return table;
    }

    /// <summary>The descriptor's type with its type arguments, without assembly versions: what the state's bytes mean.</summary>
    private static string Fingerprint(StateDescriptor descriptor) => TypeSignature(descriptor.GetType());

    private static string TypeSignature(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }
        string name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? name : name[..tick])}<{string.Join(",", type.GetGenericArguments().Select(TypeSignature))}>";
    }

    /// <summary>One table of a state (a map state has two), possibly restored before the state is asked for.</summary>
    private sealed record TableInfo(string StateName, int Role, string Kind, string Fingerprint, IStateTable Table);

    /// <summary>The operator's name (or uid), for error messages.</summary>
    internal string OperatorName => _operatorName;

    /// <summary>Whether the key serializer writes the key's raw bytes (<see cref="UnmanagedSerializer{T}"/>): a flat state can hold the keys.</summary>
    internal bool HasRawKeys => _rawKeySize > 0;

    /// <summary>Whether an ordinary (binary) state of this name was asked for.</summary>
    internal bool HasState(string name) => _states.ContainsKey(name);

    internal bool TryGetFlatState(string name, out IFlatState<TKey> state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _flatStates.TryGetValue(name, out state!);
    }

    internal IRecordSerializer<T> ResolveSerializer<T>(IRecordSerializer<T>? given, StateDescriptor descriptor, string role) =>
        Resolve(given, descriptor, role);

    /// <summary>
    /// The restored binary table of <paramref name="descriptor"/>'s state, or null if no snapshot held it; throws as the
    /// ordinary getters do when the snapshot wrote it with another kind or types.
    /// </summary>
    internal BinaryStateTable? RestoredTable(StateDescriptor descriptor) =>
        _tables.ContainsKey(descriptor.Name) ? TableFor(descriptor) : null;

    /// <summary>
    /// Registers a flat state: its table replaces the restored binary one of the same name (which the flat state has
    /// copied; disposed here) and is snapshotted with the others.
    /// </summary>
    internal void RegisterFlatState(IFlatState<TKey> state)
    {
        var descriptor = state.Descriptor;
        if (_tables.TryGetValue(descriptor.Name, out var restored))
        {
            restored.Table.Dispose();
        }
        _tables[descriptor.Name] = new TableInfo(descriptor.Name, EntriesRole, descriptor.Kind, Fingerprint(descriptor), state);
        _flatStates.Add(descriptor.Name, state);
    }

    private IRecordSerializer<T> Resolve<T>(IRecordSerializer<T>? given, StateDescriptor descriptor, string role) =>
        descriptor.ResolveSerializer(given, _serializers, $"state '{descriptor.Name}' ({descriptor.Kind})", role, _operatorName);

    private void ThrowKeyOutsideRange(TKey key, int keyGroup) =>
        throw new InvalidOperationException(
            $"operator '{_operatorName}': key '{key}' belongs to key group {keyGroup}, which is outside this subtask's {KeyGroupRange} " +
            $"(max parallelism {MaxParallelism}). The record was routed to the wrong subtask, or the key's serializer does not write the same bytes for equal keys.");
}
