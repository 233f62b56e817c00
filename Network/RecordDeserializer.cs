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
