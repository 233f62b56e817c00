using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// A growable, reusable output buffer that serializers write into (little-endian).
/// It is cleared and reused per record, so steady-state serialization allocates nothing.
/// Thread-confined.
/// </summary>
public sealed class DataOutputSerializer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _position;

    /// <summary>Creates a buffer with the given initial capacity.</summary>
    public DataOutputSerializer(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(16, initialCapacity)];
    }

    /// <summary>Bytes written since the last <see cref="Clear"/>.</summary>
    public int Length => _position;

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, _position);

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => new(_buffer, 0, _position);

    /// <summary>Forgets the written bytes and keeps the capacity.</summary>
    public void Clear() => _position = 0;

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Grow(count);
        }
        var span = new Span<byte>(_buffer, _position, count);
        _position += count;
        return span;
    }

    private void Grow(int count)
    {
        long needed = (long)_position + count;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"A record of more than {Array.MaxLength} bytes cannot be serialized.");
        }
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        Array.Resize(ref _buffer, size);
    }

    public void WriteByte(byte value) => Reserve(1)[0] = value;
    public void WriteSByte(sbyte value) => Reserve(1)[0] = (byte)value;
    public void WriteBoolean(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Reserve(2), value);
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);
    public void WriteChar(char value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>Writes an unsigned LEB128 variable-length integer (1–5 bytes).</summary>
    public void WriteVarUInt32(uint value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        WriteByte((byte)value);
    }

    /// <summary>Copies raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Writes a string as UTF-8 with a length prefix; null is distinguished from empty.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteVarUInt32(0);
            return;
        }
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 256)
        {
            // Short strings: encode into a stack buffer, then write length and bytes.
            Span<byte> tmp = stackalloc byte[256];
            int n = Encoding.UTF8.GetBytes(value, tmp);
            WriteVarUInt32((uint)n + 1);
            WriteBytes(tmp[..n]);
        }
        else
        {
            int n = Encoding.UTF8.GetByteCount(value);
            WriteVarUInt32((uint)n + 1);
            Encoding.UTF8.GetBytes(value, Reserve(n));
        }
    }

    /// <summary>Copies an unmanaged value as its raw bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUnmanaged<T>(in T value) where T : unmanaged
    {
        var span = Reserve(Unsafe.SizeOf<T>());
        MemoryMarshal.Write(span, in value);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint)
    {
        int size = Math.Max(1, sizeHint);
        if (_buffer.Length - _position < size)
        {
            Grow(size);
        }
        return _buffer.AsSpan(_position);
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        int size = Math.Max(1, sizeHint);
        if (_buffer.Length - _position < size)
        {
            Grow(size);
        }
        return _buffer.AsMemory(_position);
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        if (count < 0 || _position + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _position += count;
    }
}
