using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>Reducing state: one entry per (key, namespace); Add reads, reduces and writes back the serialized value.</summary>
internal sealed class BinaryReducingState<T> : BinaryKeyedState, IReducingState<T>
{
    private readonly Func<T, T, T> _reduce;
    private readonly IRecordSerializer<T> _serializer;

    public BinaryReducingState(ReducingStateDescriptor<T> descriptor, IRecordSerializer<T> serializer, KeyContext keyContext, BinaryStateTable table)
        : base(descriptor, keyContext, table)
    {
        _reduce = descriptor.Reduce;
        _serializer = serializer;
    }

    public bool HasValue => Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out _);

    public T Get()
    {
        if (!Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out var bytes))
        {
            throw new InvalidOperationException($"reducing state '{Descriptor.Name}' is empty for the current key; check HasValue first.");
        }
        var input = new DataInputView(bytes);
        return _serializer.Deserialize(ref input);
    }

    public void Add(T value)
    {
        int hash = EntryHash();
        T result = value;
        if (Table.TryGet(KeyGroup, hash, Key, Namespace, out var bytes))
        {
            var input = new DataInputView(bytes);
            result = _reduce(_serializer.Deserialize(ref input), value);
        }
        ValueBuffer.Clear();
        _serializer.Serialize(result, ValueBuffer);
        Table.Put(KeyGroup, hash, Key, Namespace, ValueBuffer.WrittenSpan);
    }

    public void Clear() => Table.Remove(KeyGroup, EntryHash(), Key, Namespace);
}
