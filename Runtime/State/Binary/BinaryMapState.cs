using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// Map state in two tables.
/// <list type="bullet">
/// <item>Entries: one entry per (key, namespace, user key) whose secondary part is
/// <c>[varint nsLen][namespace][user key]</c> (the length prefix keeps namespace and user key apart) and whose
/// value is the user value. Get, Contains and Put of an existing user key are O(1).</item>
/// <item>Directory: one entry per (key, namespace) listing the user keys as <c>[varint len][user key]</c>
/// back to back, so the current key's map can be iterated without scanning the key group. Put of a new user
/// key appends to it (amortised O(1)); Remove rewrites it (O(n) in the size of the current key's map);
/// iteration and Clear are O(n).</item>
/// </list>
/// </summary>
internal sealed class BinaryMapState<TUK, TUV> : BinaryKeyedState, IMapState<TUK, TUV>
{
    private readonly IRecordSerializer<TUK> _keySerializer;
    private readonly IRecordSerializer<TUV> _valueSerializer;
    private readonly BinaryStateTable _directory;
    private readonly DataOutputSerializer _composite = new(64);
    private readonly DataOutputSerializer _directoryBuffer = new(64);
    private int _userKeyStart; // where the user key starts in _composite

    public BinaryMapState(
        MapStateDescriptor<TUK, TUV> descriptor, IRecordSerializer<TUK> keySerializer, IRecordSerializer<TUV> valueSerializer,
        KeyContext keyContext, BinaryStateTable entries, BinaryStateTable directory)
        : base(descriptor, keyContext, entries)
    {
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _directory = directory;
    }

    public override long EntryCount => Table.EntryCount + _directory.EntryCount;

    public override BinaryStateTable KeysTable => _directory;

    public override IEnumerable<BinaryStateTable> Tables => [Table, _directory];

    public bool IsEmpty => !_directory.TryGet(KeyGroup, EntryHash(), Key, Namespace, out _);

    public bool TryGet(TUK key, out TUV value)
    {
        int hash = BuildComposite(key);
        if (!Table.TryGet(KeyGroup, hash, Key, _composite.WrittenSpan, out var bytes))
        {
            value = default!;
            return false;
        }
        var input = new DataInputView(bytes);
        value = _valueSerializer.Deserialize(ref input);
        return true;
    }

    public bool Contains(TUK key)
    {
        int hash = BuildComposite(key);
        return Table.TryGet(KeyGroup, hash, Key, _composite.WrittenSpan, out _);
    }

    public void Put(TUK key, TUV value)
    {
        int hash = BuildComposite(key);
        ValueBuffer.Clear();
        _valueSerializer.Serialize(value, ValueBuffer);
        if (Table.Put(KeyGroup, hash, Key, _composite.WrittenSpan, ValueBuffer.WrittenSpan))
        {
            var userKey = _composite.WrittenSpan[_userKeyStart..];
            _directoryBuffer.Clear();
            _directoryBuffer.WriteVarUInt32((uint)userKey.Length);
            _directoryBuffer.WriteBytes(userKey);
            try
            {
                _directory.Append(KeyGroup, EntryHash(), Key, Namespace, _directoryBuffer.WrittenSpan);
            }
            catch (InvalidOperationException)
            {
                // Out of managed memory (or entry too large): undo the entry so map and directory stay consistent.
                Table.Remove(KeyGroup, hash, Key, _composite.WrittenSpan);
                throw;
            }
        }
    }

    public void PutAll(IEnumerable<KeyValuePair<TUK, TUV>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            Put(entry.Key, entry.Value);
        }
    }

    public void Remove(TUK key)
    {
        int hash = BuildComposite(key);
        if (!Table.Remove(KeyGroup, hash, Key, _composite.WrittenSpan))
        {
            return;
        }
        int directoryHash = EntryHash();
        if (!_directory.TryGet(KeyGroup, directoryHash, Key, Namespace, out var listing))
        {
            throw new InvalidOperationException($"map state '{Descriptor.Name}': a user key has no directory entry; the state is corrupt.");
        }
        // Rebuild the listing without the removed user key (copied, because the write may move the entry).
        var userKey = _composite.WrittenSpan[_userKeyStart..];
        _directoryBuffer.Clear();
        var input = new DataInputView(listing);
        while (input.Remaining > 0)
        {
            int start = input.Position;
            int length = (int)input.ReadVarUInt32();
            var candidate = input.ReadBytes(length);
            if (!candidate.SequenceEqual(userKey))
            {
                _directoryBuffer.WriteBytes(listing[start..input.Position]);
            }
        }
        if (_directoryBuffer.Length == 0)
        {
            _directory.Remove(KeyGroup, directoryHash, Key, Namespace);
        }
        else
        {
            _directory.Put(KeyGroup, directoryHash, Key, Namespace, _directoryBuffer.WrittenSpan);
        }
    }

    public IEnumerable<KeyValuePair<TUK, TUV>> Entries()
    {
        // Materialized: the spans into segments cannot outlive this call, and callers may write while iterating.
        int directoryHash = EntryHash();
        if (!_directory.TryGet(KeyGroup, directoryHash, Key, Namespace, out var listing))
        {
            return Array.Empty<KeyValuePair<TUK, TUV>>();
        }
        var result = new List<KeyValuePair<TUK, TUV>>();
        var input = new DataInputView(listing);
        while (input.Remaining > 0)
        {
            int length = (int)input.ReadVarUInt32();
            var userKeyBytes = input.ReadBytes(length);
            var keyInput = new DataInputView(userKeyBytes);
            TUK userKey = _keySerializer.Deserialize(ref keyInput);
            int hash = BuildComposite(userKeyBytes);
            if (!Table.TryGet(KeyGroup, hash, Key, _composite.WrittenSpan, out var valueBytes))
            {
                throw new InvalidOperationException($"map state '{Descriptor.Name}': a listed user key has no entry; the state is corrupt.");
            }
            var valueInput = new DataInputView(valueBytes);
            result.Add(new KeyValuePair<TUK, TUV>(userKey, _valueSerializer.Deserialize(ref valueInput)));
        }
        return result;
    }

    public IEnumerable<TUK> Keys() => Entries().Select(static e => e.Key).ToList();

    public IEnumerable<TUV> Values() => Entries().Select(static e => e.Value).ToList();

    public void Clear()
    {
        int directoryHash = EntryHash();
        if (!_directory.TryGet(KeyGroup, directoryHash, Key, Namespace, out var listing))
        {
            return;
        }
        // Removing from the entries table never moves directory bytes (separate segments), so the listing stays valid.
        var input = new DataInputView(listing);
        while (input.Remaining > 0)
        {
            int length = (int)input.ReadVarUInt32();
            int hash = BuildComposite(input.ReadBytes(length));
            Table.Remove(KeyGroup, hash, Key, _composite.WrittenSpan);
        }
        _directory.Remove(KeyGroup, directoryHash, Key, Namespace);
    }

    public override void Dispose()
    {
        base.Dispose();
        _directory.Dispose();
    }

    private int BuildComposite(TUK userKey)
    {
        int hash = EntryHash(); // also checks the current key
        StartComposite();
        _keySerializer.Serialize(userKey, _composite);
        return CompositeHash(hash);
    }

    private int BuildComposite(ReadOnlySpan<byte> userKeyBytes)
    {
        int hash = EntryHash();
        StartComposite();
        _composite.WriteBytes(userKeyBytes);
        return CompositeHash(hash);
    }

    private void StartComposite()
    {
        _composite.Clear();
        _composite.WriteVarUInt32((uint)Namespace.Length);
        _composite.WriteBytes(Namespace);
        _userKeyStart = _composite.Length;
    }

    private int CompositeHash(int keyAndNamespaceHash) =>
        StableHash.Murmur3(_composite.WrittenSpan[_userKeyStart..], (uint)keyAndNamespaceHash);
}
