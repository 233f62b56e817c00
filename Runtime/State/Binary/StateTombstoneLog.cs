using System.Buffers.Binary;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// The removals of one <see cref="BinaryStateTable"/> since the last confirmed snapshot, for incremental snapshots:
/// records <c>[version][keyGroup][hash][keyLen][secondaryLen] key secondary</c> back to back in one array.
/// <para>
/// A snapshot's asynchronous writer reads a prefix of the array (<see cref="Bytes"/>, <see cref="Length"/> taken in
/// the synchronous phase) while the task thread keeps appending: appends only write past every handed-out length,
/// and growing or pruning moves the records into a new array instead of changing the old one.
/// </para>
/// </summary>
internal sealed class StateTombstoneLog
{
    public const int RecordHeaderSize = 20;

    private byte[] _bytes = new byte[256];
    private int _length;

    /// <summary>The current array; records end at <see cref="Length"/>.</summary>
    public byte[] Bytes => _bytes;

    public int Length => _length;

    public void Add(int version, int keyGroup, int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary)
    {
        int size = RecordHeaderSize + key.Length + secondary.Length;
        if (_length + size > _bytes.Length)
        {
            var grown = new byte[Math.Max(_bytes.Length * 2, _length + size)];
            _bytes.AsSpan(0, _length).CopyTo(grown);
            _bytes = grown;
        }
        var record = _bytes.AsSpan(_length, size);
        BinaryPrimitives.WriteInt32LittleEndian(record, version);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], keyGroup);
        BinaryPrimitives.WriteInt32LittleEndian(record[8..], hash);
        BinaryPrimitives.WriteInt32LittleEndian(record[12..], key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(record[16..], secondary.Length);
        key.CopyTo(record[RecordHeaderSize..]);
        secondary.CopyTo(record[(RecordHeaderSize + key.Length)..]);
        _length += size;
    }

    /// <summary>Drops the removals stamped at or below <paramref name="version"/> (a confirmed snapshot contains their effect).</summary>
    public void PruneUpTo(int version)
    {
        var kept = new byte[Math.Max(256, _length / 2)];
        int keptLength = 0;
        for (int offset = 0; offset < _length;)
        {
            int size = SizeAt(_bytes, offset);
            if (BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(offset)) > version)
            {
                if (keptLength + size > kept.Length)
                {
                    Array.Resize(ref kept, Math.Max(kept.Length * 2, keptLength + size));
                }
                _bytes.AsSpan(offset, size).CopyTo(kept.AsSpan(keptLength));
                keptLength += size;
            }
            offset += size;
        }
        _bytes = kept;
        _length = keptLength;
    }

    /// <summary>Bytes of the record at <paramref name="offset"/>.</summary>
    public static int SizeAt(byte[] bytes, int offset) =>
        RecordHeaderSize + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 12)) + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 16));
}
