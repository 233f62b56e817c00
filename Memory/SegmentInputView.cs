using System.Buffers.Binary;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Memory;

/// <summary>
/// Reads back the length-prefixed records written by a <see cref="SegmentOutputView"/>. A record
/// that lies inside one segment is handed out as a span into that segment; only a record (or a
/// length prefix) that straddles a boundary is copied, into a reusable scratch buffer.
/// Does not own the segments. Thread-confined.
/// </summary>
public sealed class SegmentInputView
{
    private readonly IReadOnlyList<MemorySegment> _segments;
    private byte[] _scratch = [];
    private int _segmentIndex;
    private int _positionInSegment;

    /// <summary>Reads the first <paramref name="length"/> bytes of <paramref name="segments"/>, in order.</summary>
    public SegmentInputView(IReadOnlyList<MemorySegment> segments, long length)
    {
        ArgumentNullException.ThrowIfNull(segments);
        long capacity = 0;
        foreach (var segment in segments)
        {
            capacity += segment.Size;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The segments hold {capacity} bytes, fewer than the {length} to read.");
        }
        _segments = segments;
        Length = length;
    }

    /// <summary>Reads the records written so far to <paramref name="output"/>.</summary>
    public SegmentInputView(SegmentOutputView output)
        : this((output ?? throw new ArgumentNullException(nameof(output))).Segments, output.Length)
    {
    }

    /// <summary>Bytes to read in total.</summary>
    public long Length { get; }

    /// <summary>Bytes read so far, length prefixes included.</summary>
    public long Position { get; private set; }

    /// <summary>Whether the last record read straddled a segment boundary and was copied.</summary>
    public bool LastRecordWasCopied { get; private set; }

    /// <summary>
    /// Reads the next record. The span points into a segment or into the scratch buffer and is valid
    /// until the next read. Returns false at the end; throws <see cref="SerializationException"/> on truncated input.
    /// </summary>
    public bool TryReadRecord(out ReadOnlySpan<byte> record)
    {
        long remaining = Length - Position;
        if (remaining == 0)
        {
            record = default;
            return false;
        }
        if (remaining < SegmentOutputView.LengthPrefixSize)
        {
            throw new SerializationException($"Truncated record length at offset {Position}: {remaining} bytes left, 4 needed.");
        }
        Span<byte> prefix = stackalloc byte[SegmentOutputView.LengthPrefixSize];
        int length = BinaryPrimitives.ReadInt32LittleEndian(Read(prefix.Length, prefix, out _));
        remaining -= SegmentOutputView.LengthPrefixSize;
        if (length < 0 || length > remaining)
        {
            throw new SerializationException($"Record at offset {Position - SegmentOutputView.LengthPrefixSize} claims {length} bytes, but {remaining} remain.");
        }
        if (_scratch.Length < length && !FitsInCurrentSegment(length))
        {
            // The scratch buffer only grows for records that are not contiguous, see Read.
            _scratch = new byte[(int)Math.Min(Array.MaxLength, Math.Max(length, _scratch.Length * 2L))];
        }
        record = Read(length, _scratch, out bool copied);
        LastRecordWasCopied = copied;
        return true;
    }

    /// <summary>
    /// Reads the next record and deserializes it. Throws <see cref="SerializationException"/> when the
    /// serializer does not consume exactly the record's bytes.
    /// </summary>
    public bool TryRead<T>(IRecordSerializer<T> serializer, out T value)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        if (!TryReadRecord(out var record))
        {
            value = default!;
            return false;
        }
        var input = new DataInputView(record);
        value = serializer.Deserialize(ref input);
        if (input.Remaining != 0)
        {
            throw new SerializationException(
                $"The serializer for '{typeof(T).FullName}' read {input.Position} of the {record.Length} bytes of the record ending at offset {Position}.");
        }
        return true;
    }

    /// <summary>Starts reading from the first record again.</summary>
    public void Reset()
    {
        _segmentIndex = 0;
        _positionInSegment = 0;
        Position = 0;
        LastRecordWasCopied = false;
    }

    private bool FitsInCurrentSegment(int count)
    {
        SkipExhaustedSegment();
        return count == 0 || (_segmentIndex < _segments.Count && _segments[_segmentIndex].Size - _positionInSegment >= count);
    }

    private void SkipExhaustedSegment()
    {
        while (_segmentIndex < _segments.Count && _positionInSegment == _segments[_segmentIndex].Size)
        {
            _segmentIndex++;
            _positionInSegment = 0;
        }
    }

    // Bounds were checked against Length by the caller.
    private ReadOnlySpan<byte> Read(int count, Span<byte> scratch, out bool copied)
    {
        Position += count;
        if (FitsInCurrentSegment(count))
        {
            copied = false;
            if (count == 0)
            {
                return [];
            }
            var direct = _segments[_segmentIndex].Span.Slice(_positionInSegment, count);
            _positionInSegment += count;
            return direct;
        }
        copied = true;
        var target = scratch[..count];
        while (!target.IsEmpty)
        {
            SkipExhaustedSegment();
            var segment = _segments[_segmentIndex];
            int n = Math.Min(target.Length, segment.Size - _positionInSegment);
            segment.Span.Slice(_positionInSegment, n).CopyTo(target);
            target = target[n..];
            _positionInSegment += n;
        }
        return scratch[..count];
    }
}
