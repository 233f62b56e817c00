using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>Value state: one entry per (key, namespace) holding the serialized value. O(1) per access.</summary>
internal sealed class BinaryValueState<T> : BinaryKeyedState, IValueState<T>
{
    private static readonly bool CanBeNull = default(T) is null;

    private readonly ValueStateDescriptor<T> _descriptor;
    private readonly IRecordSerializer<T> _serializer;

    // Non-null when every value has the same binary length: it is then read and written in the segment itself.
    private readonly IFixedSizeSerializer<T>? _fixed;
    private readonly int _fixedSize;

    // Where TryGetForUpdate found the entry (or found it absent), for the UpdateFound that follows.
    private long _foundKeyEpoch = -1;
    private int _foundNamespaceEpoch;
    private int _foundStamp;
    private int _foundSlot;
    private int _foundHash;

    public BinaryValueState(ValueStateDescriptor<T> descriptor, IRecordSerializer<T> serializer, KeyContext keyContext, BinaryStateTable table)
        : base(descriptor, keyContext, table)
    {
        _descriptor = descriptor;
        _serializer = serializer;
        if (serializer is IFixedSizeSerializer<T> { FixedSize: > 0 } fixedSize)
        {
            _fixed = fixedSize;
            _fixedSize = fixedSize.FixedSize;
        }
    }

    /// <summary>Whether values are read and written in place (their serializer has a fixed size).</summary>
    public bool IsFixedSize => _fixed is not null;

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

    /// <summary>
    /// The read half of a read-modify-write with one index probe: like <see cref="HasValue"/> and <see cref="Value"/>
    /// together, and remembers where the entry is (or would go) for <see cref="UpdateFound"/>.
    /// </summary>
    public bool TryGetForUpdate(out T value)
    {
        int hash = EntryHash();
        int stamp = Table.LayoutStamp;
        int slot = Table.Find(KeyGroup, hash, Key, Namespace, out var bytes);
        _foundKeyEpoch = KeyContext.Epoch;
        _foundNamespaceEpoch = NamespaceEpoch;
        _foundStamp = stamp;
        _foundSlot = slot;
        _foundHash = hash;
        if (slot < 0)
        {
            value = default!;
            return false;
        }
        if (_fixed is not null && bytes.Length == _fixedSize)
        {
            value = _fixed.Read(bytes);
            return true;
        }
        var input = new DataInputView(bytes);
        value = _serializer.Deserialize(ref input);
        return true;
    }

    /// <summary>
    /// The write half: like <see cref="Update"/>, but writes where <see cref="TryGetForUpdate"/> found the entry when
    /// the key and namespace are still current and the table has not moved entries since (else it looks again).
    /// Fixed-size values are written straight into the segment; others are serialized and copied in place when they
    /// fit. Stamps the entry as <see cref="Update"/> does.
    /// </summary>
    public void UpdateFound(T value)
    {
        if (CanBeNull && value is null)
        {
            Clear();
            return;
        }
        if (_foundKeyEpoch != KeyContext.Epoch || _foundNamespaceEpoch != NamespaceEpoch)
        {
            Update(value);
            return;
        }
        _foundKeyEpoch = -1; // used up: a later update without a lookup probes again
        var key = Key;
        var ns = Namespace;
        if (_fixed is not null && Table.FitsInline(key.Length, ns.Length, _fixedSize))
        {
            _fixed.Write(value, Table.WritableFixedValue(KeyGroup, _foundHash, key, ns, _foundSlot, _foundStamp, _fixedSize));
            return;
        }
        ValueBuffer.Clear();
        _serializer.Serialize(value, ValueBuffer);
        Table.PutAt(KeyGroup, _foundHash, key, ns, _foundSlot, _foundStamp, ValueBuffer.WrittenSpan);
    }
}
