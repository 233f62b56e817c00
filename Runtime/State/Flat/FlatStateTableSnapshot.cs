using System.Runtime.InteropServices;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State.Binary;

namespace DataflowCompiler.State.Flat;

/// <summary>
/// A pinned view of a <see cref="FlatValueState{TKey, TValue}"/>: the chunk arrays as they were at pin time. The table
/// clones a chunk before its first write after the pin (and a rehash builds new chunks), so these arrays do not change
/// until <see cref="Release"/> and <see cref="WriteTo"/> reads them on any thread.
/// </summary>
/// <remarks>
/// The records are those a <see cref="BinaryValueState{T}"/> of the same name writes for the same keys and values in the
/// default namespace: the entry tag, the key group, the entry hash of the binary table (Murmur3 of the empty namespace
/// seeded with Murmur3 of the key bytes), the raw key bytes, no namespace bytes and the value serializer's bytes. So
/// either backend state restores the other's snapshots.
/// </remarks>
internal sealed class FlatStateTableSnapshot<TKey, TValue> : IStateTableSnapshot
    where TKey : unmanaged
    where TValue : struct
{
    private readonly FlatValueState<TKey, TValue> _table;
    private readonly FlatEntry<TKey, TValue>[][] _chunks;
    private readonly IRecordSerializer<TValue> _serializer;

    public FlatStateTableSnapshot(FlatValueState<TKey, TValue> table, int version, int baseVersion, FlatEntry<TKey, TValue>[][] chunks, IRecordSerializer<TValue> serializer)
    {
        _table = table;
        Version = version;
        BaseVersion = baseVersion;
        _chunks = chunks;
        _serializer = serializer;
    }

    /// <inheritdoc />
    public int Version { get; }

    /// <summary>Entries stamped at or below this version are left out (an incremental snapshot); -1 for a full one.</summary>
    public int BaseVersion { get; }

    /// <summary>Set once, under the table's pin lock.</summary>
    internal bool Released { get; set; }

    /// <inheritdoc />
    public void Release() => _table.ReleasePin(this);

    /// <summary>
    /// Writes the entries stamped after the base (a flat table removes nothing, so there are no tombstones). Values are
    /// serialized here, on the writer's thread, so the value serializer must not keep per-call state (the registry's and
    /// the generated serializers keep none).
    /// </summary>
    public long WriteTo(SnapshotWriter output)
    {
        var value = new DataOutputSerializer(64);
        long records = 0;
        foreach (var chunk in _chunks)
        {
            for (int i = 0; i < chunk.Length; i++)
            {
                ref readonly var entry = ref chunk[i];
                if (entry.Stamp == 0 || entry.Stamp <= BaseVersion)
                {
                    continue;
                }
                var key = MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in entry.Key));
                value.Clear();
                _serializer.Serialize(entry.Value, value);
                output.WriteByte(BinaryStateTableSnapshot.EntryTag);
                output.WriteInt32(entry.KeyGroup);
                output.WriteInt32(StableHash.Murmur3([], (uint)StableHash.Murmur3(key)));
                output.WriteInt32(key.Length);
                output.WriteInt32(0);
                output.WriteInt32(value.Length);
                output.WriteBytes(key);
                output.WriteBytes(value.WrittenSpan);
                records++;
            }
        }
        output.WriteByte(BinaryStateTableSnapshot.EndTag);
        output.WriteInt64(records);
        return records;
    }
}
