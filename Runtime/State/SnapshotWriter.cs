using System.Buffers.Binary;
using System.Text;

namespace DataflowCompiler.State;

/// <summary>
/// Writes the little-endian snapshot format (<see cref="KeyedStateSnapshot"/>, timer snapshots) into a stream through one
/// reused buffer; counts the bytes written.
/// </summary>
internal sealed class SnapshotWriter(Stream output) : IDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _position;

    /// <summary>Bytes written so far (flushed or not).</summary>
    public long BytesWritten { get; private set; }

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        if (length <= _buffer.Length)
        {
            Encoding.UTF8.GetBytes(value, Reserve(length));
        }
        else
        {
            WriteBytes(Encoding.UTF8.GetBytes(value));
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_position == _buffer.Length)
            {
                Flush();
            }
            int count = Math.Min(bytes.Length, _buffer.Length - _position);
            bytes[..count].CopyTo(_buffer.AsSpan(_position));
            _position += count;
            BytesWritten += count;
            bytes = bytes[count..];
        }
    }

    public void Flush()
    {
        output.Write(_buffer, 0, _position);
        _position = 0;
    }

    public void Dispose() => Flush();

    private Span<byte> Reserve(int count)
    {
        if (_position + count > _buffer.Length)
        {
            Flush();
        }
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        BytesWritten += count;
        return span;
    }
}
