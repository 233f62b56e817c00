using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>Value state: one entry per (key, namespace) holding the serialized value. O(1) per access.</summary>
internal sealed class BinaryValueState<T> : BinaryKeyedState, IValueState<T>
{
    private static readonly bool CanBeNull = default(T) is null;

    private readonly ValueStateDescriptor<T> _descriptor;
    private readonly IRecordSerializer<T> _serializer;

    public BinaryValueState(ValueStateDescriptor<T> descriptor, IRecordSerializer<T> serializer, KeyContext keyContext, BinaryStateTable table)
        : base(descriptor, keyContext, table)
    {
        _descriptor = descriptor;
        _serializer = serializer;
    }

    public bool HasValue => Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out _);

    public T Value()
    {
        if (!Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out var bytes))
        {
            return _descriptor.DefaultValue;
        }
        var input = new DataInputView(bytes);
        return _serializer.Deserialize(ref input);
    }

    /// <summary>Sets the value; null clears it, as in Flink.</summary>
    public void Update(T value)
    {
        // The flag keeps unoptimized (tier-0) code from boxing value types for the null check.
        if (CanBeNull && value is null)
        {
            Clear();
            return;
        }
        int hash = EntryHash();
        ValueBuffer.Clear();
        _serializer.Serialize(value, ValueBuffer);
        Table.Put(KeyGroup, hash, Key, Namespace, ValueBuffer.WrittenSpan);
    }

    public void Clear() => Table.Remove(KeyGroup, EntryHash(), Key, Namespace);
}
