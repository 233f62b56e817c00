using System.Buffers.Binary;
using DataflowCompiler.Memory;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// A pinned, consistent view of one <see cref="BinaryStateTable"/> (<see cref="BinaryStateTable.Pin"/>): the segments
/// and how far each was written at pin time, the large-value chains, and the prefix of the removal log. The table's
/// writers leave these bytes alone until <see cref="Release"/>, so <see cref="WriteTo"/> runs on any thread while the
/// task keeps writing.
/// </summary>
internal sealed class BinaryStateTableSnapshot : IStateTableSnapshot
{
    public const byte EntryTag = 1;
    public const byte TombstoneTag = 2;
    public const byte EndTag = 0;

    private readonly BinaryStateTable _table;
    private readonly MemorySegment[] _segments;
    private readonly int[] _segmentUsed;
    private readonly MemorySegment[]?[] _chains;
    private readonly HashSet<long>? _deadAtPin;
    private readonly byte[] _tombstones;
    private readonly int _tombstoneLength;
    private readonly int _segmentSize;

    public BinaryStateTableSnapshot(BinaryStateTable table, int version, int baseVersion, MemorySegment[] segments, int[] segmentUsed,
        MemorySegment[]?[] chains, HashSet<long>? deadAtPin, byte[] tombstones, int tombstoneLength, int segmentSize)
    {
        _table = table;
        Version = version;
        BaseVersion = baseVersion;
        _segments = segments;
        _segmentUsed = segmentUsed;
        _chains = chains;
        _deadAtPin = deadAtPin;
        _tombstones = tombstones;
        _tombstoneLength = tombstoneLength;
        _segmentSize = segmentSize;
    }

    /// <summary>The pinned version: the view holds every entry stamped at or below it.</summary>
    public int Version { get; }

    /// <summary>Entries stamped at or below this version are left out (an incremental snapshot); -1 for a full one.</summary>
    public int BaseVersion { get; }

    /// <summary>Set once, under the table's pin lock.</summary>
    internal bool Released { get; set; }

    /// <summary>Ends the pin (any thread, idempotent); the table applies deferred frees on its own thread.</summary>
    public void Release() => _table.ReleasePin(this);

    /// <summary>
    /// Writes the removals since the base (incremental only), then the entries stamped after the base, each as a tagged
    /// record, and an end tag. Returns the number of records.
    /// </summary>
    public long WriteTo(SnapshotWriter output)
    {
        long records = 0;
        if (BaseVersion >= 0)
        {
            for (int offset = 0; offset < _tombstoneLength; offset += StateTombstoneLog.SizeAt(_tombstones, offset))
            {
                var record = _tombstones.AsSpan(offset);
                int version = BinaryPrimitives.ReadInt32LittleEndian(record);
                if (version > BaseVersion && version <= Version)
                {
                    int keyLength = BinaryPrimitives.ReadInt32LittleEndian(record[12..]);
                    int secondaryLength = BinaryPrimitives.ReadInt32LittleEndian(record[16..]);
                    output.WriteByte(TombstoneTag);
                    output.WriteBytes(record.Slice(4, StateTombstoneLog.RecordHeaderSize - 4 + keyLength + secondaryLength));
                    records++;
                }
            }
        }
        for (int s = 0; s < _segments.Length; s++)
        {
            byte[] segment = _segments[s].Array;
            int used = _segmentUsed[s];
            for (int offset = 0; offset < used; offset += StateEntry.SizeOf(segment, offset))
            {
                int length = StateEntry.ReadInt(segment, offset, StateEntry.ValueLengthOffset);
                if (length == StateEntry.Dead || StateEntry.ReadInt(segment, offset, StateEntry.VersionOffset) <= BaseVersion
                    || (_deadAtPin is not null && _deadAtPin.Contains(StateEntry.Address(s, offset))))
                {
                    continue;
                }
                var key = StateEntry.Key(segment, offset);
                var secondary = StateEntry.Secondary(segment, offset);
                output.WriteByte(EntryTag);
                output.WriteInt32(StateEntry.ReadInt(segment, offset, StateEntry.KeyGroupOffset));
                output.WriteInt32(StateEntry.ReadInt(segment, offset, StateEntry.HashOffset));
                output.WriteInt32(key.Length);
                output.WriteInt32(secondary.Length);
                output.WriteInt32(length);
                output.WriteBytes(key);
                output.WriteBytes(secondary);
                int valueStart = StateEntry.ValueStart(segment, offset);
                if (!StateEntry.IsLarge(segment, offset))
                {
                    output.WriteBytes(segment.AsSpan(valueStart, length));
                }
                else
                {
                    var chain = _chains[BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan(valueStart))]!;
                    for (int i = 0, remaining = length; remaining > 0; i++, remaining -= _segmentSize)
                    {
                        output.WriteBytes(chain[i].Array.AsSpan(0, Math.Min(remaining, _segmentSize)));
                    }
                }
                records++;
            }
        }
        output.WriteByte(EndTag);
        output.WriteInt64(records);
        return records;
    }
}
