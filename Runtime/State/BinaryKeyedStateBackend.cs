using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State.Binary;

namespace DataflowCompiler.State;

/// <summary>
/// The default keyed state backend: every entry is kept in binary form in memory segments rented from the
/// task manager's managed memory pool (no object per entry), indexed per state and key group
/// (see <see cref="BinaryStateTable"/> for the layout). Reads deserialize from the segment bytes, so values of
/// unmanaged types are read and written without allocating. The pool bounds the memory: when it runs out, the
/// state access throws instead of allocating outside it. A key and its namespace must fit into one segment; a
/// value that does not fit next to them spans a chain of segments and is copied into a reused buffer when read.
/// Thread-confined to the task thread.
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
        var serializerType = keySerializer.GetType();
        if (serializerType.IsGenericType && serializerType.GetGenericTypeDefinition() == typeof(UnmanagedSerializer<>))
        {
            _rawKeySize = Unsafe.SizeOf<TKey>();
        }
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
        return Register(new BinaryValueState<T>(descriptor, serializer, _keyContext, NewTable(descriptor.Name)));
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
        return Register(new BinaryListState<T>(descriptor, serializer, _keyContext, NewTable(descriptor.Name)));
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
            descriptor, keySerializer, valueSerializer, _keyContext, NewTable(descriptor.Name), NewTable(descriptor.Name + " (directory)")));
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
        return Register(new BinaryReducingState<T>(descriptor, serializer, _keyContext, NewTable(descriptor.Name)));
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
        return Register(new BinaryAggregatingState<TIn, TAcc, TOut>(descriptor, serializer, _keyContext, NewTable(descriptor.Name)));
    }

    /// <inheritdoc />
    public IEnumerable<TKey> GetKeys(string stateName)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ObjectDisposedException.ThrowIf(_disposed, this);
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

    /// <summary>Compactions over all states so far (tests prove compaction ran).</summary>
    internal int CompactionCount => _states.Values.Sum(static s => s.Tables.Sum(static t => t.CompactionCount));

    /// <summary>Compacts every state's table now (tests; later also before a full snapshot).</summary>
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

    private BinaryStateTable NewTable(string name) => new(name, _operatorName, _managedMemory, KeyGroupRange);

    private IRecordSerializer<T> Resolve<T>(IRecordSerializer<T>? given, StateDescriptor descriptor, string role)
    {
        if (given is not null)
        {
            return given;
        }
        if (_serializers.TryGet<T>(out var serializer))
        {
            return serializer;
        }
        throw new SerializationException(
            $"state '{descriptor.Name}' ({descriptor.Kind}) of type '{typeof(T).FullName}': no serializer for its {role} in operator '{_operatorName}'. " +
            $"Pass one in the descriptor or register it with SerializerRegistry.Register<{typeof(T).Name}>(...).");
    }

    private void ThrowKeyOutsideRange(TKey key, int keyGroup) =>
        throw new InvalidOperationException(
            $"operator '{_operatorName}': key '{key}' belongs to key group {keyGroup}, which is outside this subtask's {KeyGroupRange} " +
            $"(max parallelism {MaxParallelism}). The record was routed to the wrong subtask, or the key's serializer does not write the same bytes for equal keys.");
}
