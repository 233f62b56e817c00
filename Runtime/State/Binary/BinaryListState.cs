using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// List state: one entry per (key, namespace) whose value is the elements' bytes back to back. Add appends
/// in place while the entry's capacity lasts (capacity doubles on growth); Get deserializes the whole list.
/// A list longer than a segment moves into a segment chain that grows without copying.
/// </summary>
internal sealed class BinaryListState<T> : BinaryKeyedState, IListState<T>
{
    private readonly IRecordSerializer<T> _serializer;

    public BinaryListState(ListStateDescriptor<T> descriptor, IRecordSerializer<T> serializer, KeyContext keyContext, BinaryStateTable table)
        : base(descriptor, keyContext, table)
    {
        _serializer = serializer;
    }

    public IReadOnlyList<T> Get()
    {
        if (!Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out var bytes))
        {
            return Array.Empty<T>();
        }
        var result = new List<T>();
        var input = new DataInputView(bytes);
        while (input.Remaining > 0)
        {
            result.Add(_serializer.Deserialize(ref input));
        }
        return result;
    }

    public void Add(T value)
    {
        int hash = EntryHash();
        ValueBuffer.Clear();
        _serializer.Serialize(value, ValueBuffer);
        Table.Append(KeyGroup, hash, Key, Namespace, ValueBuffer.WrittenSpan);
    }

    public void AddAll(IEnumerable<T> values)
    {
        int hash = EntryHash();
        if (SerializeAll(values))
        {
            Table.Append(KeyGroup, hash, Key, Namespace, ValueBuffer.WrittenSpan);
        }
    }

    public void Update(IEnumerable<T> values)
    {
        int hash = EntryHash();
        if (SerializeAll(values))
        {
            Table.Put(KeyGroup, hash, Key, Namespace, ValueBuffer.WrittenSpan);
        }
        else
        {
            Table.Remove(KeyGroup, hash, Key, Namespace);
        }
    }

    /// <summary>Serializes the elements back to back into the value buffer; false if there were none.</summary>
    private bool SerializeAll(IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ValueBuffer.Clear();
        foreach (var value in values)
        {
            _serializer.Serialize(value, ValueBuffer);
        }
        return ValueBuffer.Length > 0;
    }

    public void Clear() => Table.Remove(KeyGroup, EntryHash(), Key, Namespace);
}
