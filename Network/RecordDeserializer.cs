using System.Buffers;
using System.Buffers.Binary;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Network;

/// <summary>
/// Reads length-prefixed records out of the buffers of one channel, joining records that span
/// buffers in a spill buffer. One per input channel; thread-confined.
/// </summary>
public sealed class RecordDeserializer<T>
{
    private const int LengthPrefix = 4;

    private readonly IRecordSerializer<T> _serializer;
    private NetworkBuffer? _buffer;
    private byte[] _array = [];
    private int _position;
    private int _limit;

    // A record whose bytes straddle buffers is gathered here (prefix included); grows to the largest record seen.
    private byte[] _spill = new byte[256];
    private int _spilled;

    public RecordDeserializer(IRecordSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
    }

    /// <summary>Starts reading a new buffer. The previous one must be fully read.</summary>
    public void SetNextBuffer(NetworkBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (_buffer is not null)
        {
            throw new InvalidOperationException("The previous buffer has not been read to its end; call TryNext until it returns false.");
        }
        _buffer = buffer;
        _array = buffer.Segment.Array;
        _position = 0;
        _limit = buffer.Size;
    }

    /// <summary>
    /// Reads the next whole record of the current buffer. Returns false when the buffer is used up
    /// (a partial record at its end is kept for the next buffer); the deserializer has then already
    /// recycled the buffer.
    /// </summary>
    public bool TryNext(out T record)
    {
        if (_spilled == 0)
        {
            int remaining = _limit - _position;
            if (remaining >= LengthPrefix)
            {
                int length = BinaryPrimitives.ReadInt32LittleEndian(_array.AsSpan(_position));
                if ((uint)length <= (uint)(remaining - LengthPrefix))
                {
                    record = Read(new ReadOnlySpan<byte>(_array, _position + LengthPrefix, length));
                    _position += LengthPrefix + length;
                    return true;
                }
            }
        }
        return TryNextSpanning(out record);
    }

    /// <summary>True if a record started in an earlier buffer is waiting for its remaining bytes.</summary>
    public bool HasPartialRecord => _spilled > 0;

    /// <summary>
    /// Number of bytes <see cref="CopyPartialRecord"/> writes: the gathered bytes of a record begun in earlier buffers,
    /// plus the unread rest of the current buffer if it has not been read to its end.
    /// </summary>
    public int PartialRecordLength => _spilled + (_limit - _position);

    /// <summary>
    /// Writes the bytes this deserializer holds but has not turned into records yet (the channel state an unaligned
    /// checkpoint persists) and returns how many. Those bytes, followed by the channel's next bytes, form exactly the
    /// next records of the channel.
    /// </summary>
    /// <remarks>
    /// After <see cref="TryNext"/> returned false (the usual point: between buffers) this is the start of the one
    /// record the next buffer continues, shorter than that record, possibly empty. In the middle of a buffer it also
    /// holds the buffer's unread rest, which may contain whole records. The state itself is not changed.
    /// </remarks>
    public int CopyPartialRecord(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        int length = PartialRecordLength;
        if (length == 0)
        {
            return 0;
        }
        var span = destination.GetSpan(length);
        _spill.AsSpan(0, _spilled).CopyTo(span);
        _array.AsSpan(_position, _limit - _position).CopyTo(span[_spilled..]);
        destination.Advance(length);
        return length;
    }

    /// <summary>The bytes <see cref="CopyPartialRecord"/> writes, as a new array.</summary>
    public byte[] GetPartialRecordBytes()
    {
        var writer = new ArrayBufferWriter<byte>(Math.Max(1, PartialRecordLength));
        CopyPartialRecord(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Restores bytes taken with <see cref="CopyPartialRecord"/> into this deserializer, which must hold nothing
    /// (new, or after <see cref="Clear"/>): the next buffers continue where those bytes end.
    /// </summary>
    /// <remarks>
    /// Bytes that hold no whole record (what is taken between buffers) are kept as the start of the next record, and
    /// <see cref="SetNextBuffer"/> may follow at once. Bytes that hold whole records (taken in the middle of a buffer)
    /// become the current input: read them with <see cref="TryNext"/> until it returns false, as after
    /// <see cref="SetNextBuffer"/>. The bytes are copied.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The deserializer holds a buffer or a partial record.</exception>
    public void RestorePartialRecord(ReadOnlySpan<byte> bytes)
    {
        if (_buffer is not null || _spilled > 0)
        {
            throw new InvalidOperationException("Restore the partial record into an empty deserializer (new, or after Clear).");
        }
        bool holdsWholeRecord = bytes.Length >= LengthPrefix
            && (uint)BinaryPrimitives.ReadInt32LittleEndian(bytes) <= (uint)(bytes.Length - LengthPrefix);
        if (holdsWholeRecord)
        {
            SetNextBuffer(NetworkBuffer.CreateUnpooled(bytes));
            return;
        }
        if (_spill.Length < bytes.Length)
        {
            Array.Resize(ref _spill, bytes.Length);
        }
        bytes.CopyTo(_spill);
        _spilled = bytes.Length;
    }

    /// <summary>Recycles the current buffer, if any, and forgets partial data (on release).</summary>
    public void Clear()
    {
        RecycleCurrent();
        _spilled = 0;
    }

    private T Read(ReadOnlySpan<byte> bytes)
    {
        var input = new DataInputView(bytes);
        var record = _serializer.Deserialize(ref input);
        if (input.Position != bytes.Length)
        {
            ThrowLengthMismatch(bytes.Length, input.Position);
        }
        return record;
    }

    // Slow path: the record (or its length prefix) continues in the next buffer, or the buffer is used up.
    private bool TryNextSpanning(out T record)
    {
        record = default!;
        if (_buffer is null)
        {
            return false;
        }
        if (_spilled < LengthPrefix)
        {
            Gather(LengthPrefix);
            if (_spilled < LengthPrefix)
            {
                RecycleCurrent();
                return false;
            }
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(_spill);
        if (length < 0)
        {
            throw new SerializationException($"Corrupt record length {length} in a network buffer.");
        }
        int total = LengthPrefix + length;
        if (_spill.Length < total)
        {
            Array.Resize(ref _spill, Math.Max(total, (int)Math.Min(Array.MaxLength, 2L * _spill.Length)));
        }
        Gather(total);
        if (_spilled < total)
        {
            RecycleCurrent();
            return false;
        }
        _spilled = 0;
        record = Read(new ReadOnlySpan<byte>(_spill, LengthPrefix, length));
        return true;
    }

    private void Gather(int upTo)
    {
        int n = Math.Min(upTo - _spilled, _limit - _position);
        if (n > 0)
        {
            _array.AsSpan(_position, n).CopyTo(_spill.AsSpan(_spilled));
            _position += n;
            _spilled += n;
        }
    }

    private void RecycleCurrent()
    {
        var buffer = _buffer;
        if (buffer is null)
        {
            return;
        }
        // Forget it first: a recycle that throws must not leave a buffer that would be recycled twice.
        _buffer = null;
        _array = [];
        _position = 0;
        _limit = 0;
        buffer.Recycle();
    }

    private static void ThrowLengthMismatch(int length, int read) =>
        throw new SerializationException($"The serializer of {typeof(T).Name} read {read} bytes of a {length}-byte record; Serialize and Deserialize disagree.");
}
