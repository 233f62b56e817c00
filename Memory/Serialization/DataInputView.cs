using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Reads little-endian values from a contiguous span. Reading past the end throws a
/// <see cref="SerializationException"/> that says how many bytes were wanted and how many were left.
/// </summary>
public ref struct DataInputView
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    /// <summary>Reads from <paramref name="span"/> starting at its first byte.</summary>
    public DataInputView(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left to read.</summary>
    public readonly int Remaining => _span.Length - _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ThrowUnderflow(count);
        }
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly void ThrowUnderflow(int count) =>
        throw new SerializationException($"Tried to read {count} bytes at offset {_position}, but only {_span.Length - _position} remain in the record.");

    public byte ReadByte() => Take(1)[0];
    public sbyte ReadSByte() => (sbyte)Take(1)[0];
    public bool ReadBoolean() => Take(1)[0] != 0;
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public char ReadChar() => (char)BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads an unsigned LEB128 variable-length integer.</summary>
    public uint ReadVarUInt32()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = ReadByte();
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new SerializationException($"Malformed variable-length integer ending at offset {_position}.");
    }

    /// <summary>Reads <paramref name="count"/> raw bytes without copying.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>Reads a string written by <see cref="DataOutputSerializer.WriteString"/>.</summary>
    public string? ReadString()
    {
        uint lengthPlusOne = ReadVarUInt32();
        if (lengthPlusOne == 0)
        {
            return null;
        }
        if (lengthPlusOne - 1 > int.MaxValue)
        {
            throw new SerializationException($"String length {lengthPlusOne - 1} before offset {_position} is out of range; the bytes are corrupt.");
        }
        return Encoding.UTF8.GetString(Take((int)(lengthPlusOne - 1)));
    }

    /// <summary>Reads an unmanaged value from its raw bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ReadUnmanaged<T>() where T : unmanaged => MemoryMarshal.Read<T>(Take(Unsafe.SizeOf<T>()));
}
