using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>
/// The operator state of one operator subtask, kept as objects in memory and serialized only by <see cref="Snapshot"/>
/// (operator state is small: source positions, pending transactions, broadcast rules). Element serializers come from
/// the descriptors or, when they leave them out, from the <see cref="SerializerRegistry"/>. Thread-confined to the
/// task thread.
/// </summary>
/// <remarks>
/// <see cref="Restore"/> runs before the function asks for its state. A restored state keeps its serialized elements
/// until the function asks for it with a descriptor, which deserializes them; a restored state the function never asks
/// for goes into the next snapshot unchanged, so a function that registers lazily loses nothing.
/// </remarks>
internal sealed class OperatorStateBackend : IOperatorStateStore
{
    private readonly string _operatorName;
    private readonly SerializerRegistry _serializers;
    private readonly Dictionary<string, RegisteredState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedOperatorState> _restored = new(StringComparer.Ordinal);

    /// <param name="operatorName">Name (or uid) of the operator, used in error messages.</param>
    /// <param name="serializers">Resolves the serializers that descriptors leave out.</param>
    public OperatorStateBackend(string operatorName, SerializerRegistry serializers)
    {
        ArgumentNullException.ThrowIfNull(operatorName);
        ArgumentNullException.ThrowIfNull(serializers);
        _operatorName = operatorName;
        _serializers = serializers;
    }

    /// <summary>True after <see cref="Restore"/>.</summary>
    public bool IsRestored { get; private set; }

    /// <summary>Makes the <c>Get*State</c> methods return the contents of <paramref name="data"/>.</summary>
    /// <exception cref="InvalidOperationException">Called twice, or after a state was obtained.</exception>
    public void Restore(OperatorStateSnapshotData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (IsRestored || _states.Count > 0)
        {
            throw new InvalidOperationException($"operator '{_operatorName}': operator state is restored once, before the function obtains any state.");
        }
        foreach (var state in data.States)
        {
            _restored.Add(state.Name, state);
        }
        IsRestored = true;
    }

    /// <inheritdoc />
    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => GetList(descriptor, OperatorStateMode.Split);

    /// <inheritdoc />
    public IListState<T> GetUnionListState<T>(ListStateDescriptor<T> descriptor) => GetList(descriptor, OperatorStateMode.Union);

    /// <inheritdoc />
    public IBroadcastState<TK, TV> GetBroadcastState<TK, TV>(MapStateDescriptor<TK, TV> descriptor)
        where TK : notnull
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting(descriptor, OperatorStateMode.Broadcast, out BroadcastState<TK, TV>? existing))
        {
            return existing;
        }
        var state = new BroadcastState<TK, TV>(
            descriptor.Name, _operatorName,
            Resolve(descriptor.KeySerializer, descriptor, "key"),
            Resolve(descriptor.ValueSerializer, descriptor, "value"));
        if (TakeRestored(descriptor.Name, OperatorStateMode.Broadcast) is { } restored)
        {
            state.Load(restored);
        }
        _states.Add(descriptor.Name, state);
        return state;
    }

    /// <summary>Serializes every state: the ones obtained and the restored ones not asked for yet.</summary>
    public OperatorStateSnapshotData Snapshot()
    {
        var scratch = new DataOutputSerializer();
        var states = new List<NamedOperatorState>(_states.Count + _restored.Count);
        foreach (var state in _states.Values)
        {
            states.Add(new NamedOperatorState(state.Name, state.Mode, state.Serialize(scratch)));
        }
        states.AddRange(_restored.Values);
        return new OperatorStateSnapshotData(states);
    }

    /// <summary>Writes <see cref="Snapshot"/> in its binary form.</summary>
    public void WriteSnapshot(Stream stream) => Snapshot().WriteTo(stream);

    private ListState<T> GetList<T>(ListStateDescriptor<T> descriptor, OperatorStateMode mode)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (TryGetExisting(descriptor, mode, out ListState<T>? existing))
        {
            return existing;
        }
        var state = new ListState<T>(descriptor.Name, _operatorName, mode, Resolve(descriptor.Serializer, descriptor, "element"));
        if (TakeRestored(descriptor.Name, mode) is { } restored)
        {
            state.Load(restored);
        }
        _states.Add(descriptor.Name, state);
        return state;
    }

    private bool TryGetExisting<TState>(StateDescriptor descriptor, OperatorStateMode mode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TState? state)
        where TState : RegisteredState
    {
        state = null;
        if (!_states.TryGetValue(descriptor.Name, out var registered))
        {
            return false;
        }
        if (registered.Mode != mode)
        {
            throw ModeConflict(descriptor.Name, registered.Mode, mode, "was obtained as");
        }
        state = registered as TState ?? throw new InvalidOperationException(
            $"operator '{_operatorName}': operator state '{descriptor.Name}' was obtained with element type {registered.TypeDescription} and is now asked for as {typeof(TState).GenericTypeArguments.Select(static t => t.Name).Aggregate(static (a, b) => a + ", " + b)}; " +
            "a name stands for one state of one type.");
        return true;
    }

    private NamedOperatorState? TakeRestored(string name, OperatorStateMode mode)
    {
        if (!_restored.Remove(name, out var restored))
        {
            return null;
        }
        if (restored.Mode != mode)
        {
            _restored.Add(name, restored);
            throw ModeConflict(name, restored.Mode, mode, "was snapshotted as");
        }
        return restored;
    }

    private InvalidOperationException ModeConflict(string name, OperatorStateMode had, OperatorStateMode asked, string how) =>
        new($"operator '{_operatorName}': operator state '{name}' {how} {OperatorStateRedistributor.Describe(had)} and is now asked for as " +
            $"{OperatorStateRedistributor.Describe(asked)}; a name stands for one kind of state. Use another name for the new state.");

    private IRecordSerializer<T> Resolve<T>(IRecordSerializer<T>? given, StateDescriptor descriptor, string role) =>
        descriptor.ResolveSerializer(given, _serializers, $"operator state '{descriptor.Name}'", role, _operatorName);

    private static T Deserialize<T>(IRecordSerializer<T> serializer, ReadOnlySpan<byte> bytes, string name, string operatorName)
    {
        var input = new DataInputView(bytes);
        T value = serializer.Deserialize(ref input);
        if (input.Remaining != 0)
        {
            throw new SerializationException(
                $"operator '{operatorName}': restoring operator state '{name}', the {typeof(T).Name} serializer read {input.Position} of {bytes.Length} bytes; " +
                "it is not the serializer the state was written with.");
        }
        return value;
    }

    private abstract class RegisteredState(string name, OperatorStateMode mode)
    {
        public string Name { get; } = name;
        public OperatorStateMode Mode { get; } = mode;
        public abstract string TypeDescription { get; }
        public abstract IReadOnlyList<byte[]> Serialize(DataOutputSerializer scratch);
    }

    private sealed class ListState<T>(string name, string operatorName, OperatorStateMode mode, IRecordSerializer<T> serializer)
        : RegisteredState(name, mode), IListState<T>
    {
        private readonly List<T> _elements = [];

        public override string TypeDescription => typeof(T).Name;

        public IReadOnlyList<T> Get() => _elements.ToArray();

        public void Add(T value)
        {
            ThrowIfNull(value);
            _elements.Add(value);
        }

        public void AddAll(IEnumerable<T> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            foreach (var value in values)
            {
                Add(value);
            }
        }

        public void Update(IEnumerable<T> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            var copy = values.ToList(); // values may be this state's own Get()
            foreach (var value in copy)
            {
                ThrowIfNull(value);
            }
            _elements.Clear();
            _elements.AddRange(copy);
        }

        public void Clear() => _elements.Clear();

        public void Load(NamedOperatorState restored)
        {
            foreach (var element in restored.Elements)
            {
                _elements.Add(Deserialize(serializer, element, Name, operatorName));
            }
        }

        public override IReadOnlyList<byte[]> Serialize(DataOutputSerializer scratch)
        {
            var result = new byte[_elements.Count][];
            for (int i = 0; i < result.Length; i++)
            {
                scratch.Clear();
                serializer.Serialize(_elements[i], scratch);
                result[i] = scratch.ToArray();
            }
            return result;
        }

        private void ThrowIfNull(T value)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value), $"operator '{operatorName}': list state '{Name}' does not hold null elements.");
            }
        }
    }

    private sealed class BroadcastState<TK, TV>(string name, string operatorName, IRecordSerializer<TK> keySerializer, IRecordSerializer<TV> valueSerializer)
        : RegisteredState(name, OperatorStateMode.Broadcast), IBroadcastState<TK, TV>
        where TK : notnull
    {
        private readonly Dictionary<TK, TV> _entries = [];

        public override string TypeDescription => $"{typeof(TK).Name}, {typeof(TV).Name}";

        public bool TryGetValue(TK key, out TV value)
        {
            ArgumentNullException.ThrowIfNull(key);
            return _entries.TryGetValue(key, out value!);
        }

        public TV? Get(TK key) => TryGetValue(key, out var value) ? value : default;

        public void Put(TK key, TV value)
        {
            ArgumentNullException.ThrowIfNull(key);
            _entries[key] = value;
        }

        public void PutAll(IEnumerable<KeyValuePair<TK, TV>> entries)
        {
            ArgumentNullException.ThrowIfNull(entries);
            foreach (var (key, value) in entries.ToList())
            {
                Put(key, value);
            }
        }

        public bool Remove(TK key)
        {
            ArgumentNullException.ThrowIfNull(key);
            return _entries.Remove(key);
        }

        public bool Contains(TK key)
        {
            ArgumentNullException.ThrowIfNull(key);
            return _entries.ContainsKey(key);
        }

        public IReadOnlyCollection<KeyValuePair<TK, TV>> Entries() => _entries.ToArray();

        public void Clear() => _entries.Clear();

        public void Load(NamedOperatorState restored)
        {
            foreach (var element in restored.Elements)
            {
                var input = new DataInputView(element);
                int keyLength = (int)input.ReadVarUInt32();
                int keyStart = input.Position;
                if (keyLength > input.Remaining)
                {
                    throw new SerializationException($"operator '{operatorName}': broadcast state '{Name}' has an entry whose key length {keyLength} exceeds the entry; the bytes are corrupt.");
                }
                var key = Deserialize(keySerializer, element.AsSpan(keyStart, keyLength), Name, operatorName);
                var value = Deserialize(valueSerializer, element.AsSpan(keyStart + keyLength), Name, operatorName);
                _entries[key] = value;
            }
        }

        public override IReadOnlyList<byte[]> Serialize(DataOutputSerializer scratch)
        {
            var result = new byte[_entries.Count][];
            var key = new DataOutputSerializer();
            int i = 0;
            foreach (var (k, v) in _entries)
            {
                key.Clear();
                keySerializer.Serialize(k, key);
                scratch.Clear();
                scratch.WriteVarUInt32((uint)key.Length);
                scratch.WriteBytes(key.WrittenSpan);
                valueSerializer.Serialize(v, scratch);
                result[i++] = scratch.ToArray();
            }
            return result;
        }
    }
}
