using System.Buffers.Binary;
using System.Text;

namespace DataflowCompiler.State;

/// <summary>Reads what <see cref="SnapshotWriter"/> wrote; a truncated stream throws <see cref="EndOfStreamException"/>.</summary>
internal sealed class SnapshotReader(Stream input)
{
    private readonly byte[] _scratch = new byte[8];
    private byte[] _bytes = new byte[256];

    public byte ReadByte()
    {
        input.ReadExactly(_scratch, 0, 1);
        return _scratch[0];
    }

    public int ReadInt32()
    {
        input.ReadExactly(_scratch, 0, 4);
        return BinaryPrimitives.ReadInt32LittleEndian(_scratch);
    }

    public long ReadInt64()
    {
        input.ReadExactly(_scratch, 0, 8);
        return BinaryPrimitives.ReadInt64LittleEndian(_scratch);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes(ReadLength()));

    /// <summary>A length prefix; negative lengths mean a corrupt stream.</summary>
    public int ReadLength()
    {
        int length = ReadInt32();
        return length >= 0 ? length : throw new InvalidDataException($"Corrupt snapshot: negative length {length}.");
    }

    /// <summary>Reads <paramref name="count"/> bytes into a reused buffer; valid until the next read.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => ReadBytes(count, 0);

    /// <summary>
    /// Reads <paramref name="count"/> bytes into the reused buffer after <paramref name="keep"/> bytes read before, which stay
    /// in place; returns all <paramref name="keep"/> + <paramref name="count"/> bytes.
    /// </summary>
    public ReadOnlySpan<byte> ReadBytes(int count, int keep)
    {
        if (_bytes.Length < keep + count)
        {
            Array.Resize(ref _bytes, Math.Max(keep + count, _bytes.Length * 2));
        }
        input.ReadExactly(_bytes, keep, count);
        return _bytes.AsSpan(0, keep + count);
    }
}
