using System.Buffers.Binary;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Memory;

/// <summary>
/// Appends length-prefixed records (a 4-byte little-endian length, then the record's bytes) to a
/// growing list of <see cref="MemorySegment"/>s rented from a <see cref="MemorySegmentPool"/>.
/// Records are packed back to back and may straddle segment boundaries; read them back with a
/// <see cref="SegmentInputView"/>. Thread-confined.
/// </summary>
/// <remarks>
/// Ownership: the view owns the segments it rented until <see cref="Release"/> (or
/// <see cref="Dispose"/>) returns them to the pool. The segments a record needs are rented before
/// any of its bytes are written, so a cancelled or failed rent never leaves half a record behind.
/// </remarks>
public sealed class SegmentOutputView : IDisposable
{
    /// <summary>Size of the length prefix in front of every record.</summary>
    public const int LengthPrefixSize = 4;

    private readonly MemorySegmentPool _pool;
    private readonly List<MemorySegment> _segments = []; // segments holding data; the last one is being filled
    private readonly Queue<MemorySegment> _spare = new(); // rented ahead for the record being appended
    private int _positionInLast; // bytes used in the last segment of _segments

    /// <summary>Creates an empty view that rents its segments from <paramref name="pool"/>.</summary>
    public SegmentOutputView(MemorySegmentPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
    }

    /// <summary>The segments filled so far, in order; the last one is filled up to <see cref="Length"/>.</summary>
    public IReadOnlyList<MemorySegment> Segments => _segments;

    /// <summary>Bytes written across all segments, length prefixes included.</summary>
    public long Length { get; private set; }

    /// <summary>Records written so far.</summary>
    public int RecordCount { get; private set; }

    /// <summary>
    /// Appends one record, blocking while the pool's budget is exhausted (task threads).
    /// </summary>
    public void WriteRecord(ReadOnlySpan<byte> record, CancellationToken cancellationToken = default)
    {
        for (int missing = SegmentsMissingFor(record.Length); missing > 0; missing--)
        {
            _spare.Enqueue(_pool.Rent(cancellationToken));
        }
        Append(record);
    }

    /// <summary>Appends one record, waiting asynchronously while the pool's budget is exhausted.</summary>
    public async ValueTask WriteRecordAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default)
    {
        for (int missing = SegmentsMissingFor(record.Length); missing > 0; missing--)
        {
            _spare.Enqueue(await _pool.RentAsync(cancellationToken).ConfigureAwait(false));
        }
        Append(record.Span);
    }

    /// <summary>
    /// Serializes <paramref name="value"/> into <paramref name="scratch"/> (cleared first) and appends
    /// the bytes as one record, blocking while the pool's budget is exhausted.
    /// </summary>
    public void WriteRecord<T>(IRecordSerializer<T> serializer, T value, DataOutputSerializer scratch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        serializer.Serialize(value, scratch);
        WriteRecord(scratch.WrittenSpan, cancellationToken);
    }

    /// <summary>Returns every segment to the pool and starts over empty. Safe to call more than once.</summary>
    public void Release()
    {
        // Forget the segments first so a failing Return cannot lead to a second return later.
        var segments = _segments.Concat(_spare).ToArray();
        _segments.Clear();
        _spare.Clear();
        _positionInLast = 0;
        Length = 0;
        RecordCount = 0;
        foreach (var segment in segments)
        {
            _pool.Return(segment);
        }
    }

    /// <summary>Returns every segment to the pool (same as <see cref="Release"/>).</summary>
    public void Dispose() => Release();

    private int SegmentsMissingFor(int recordLength)
    {
        long needed = LengthPrefixSize + (long)recordLength;
        long free = (_segments.Count == 0 ? 0 : _segments[^1].Size - _positionInLast) + (long)_spare.Count * _pool.SegmentSize;
        return needed <= free ? 0 : (int)((needed - free + _pool.SegmentSize - 1) / _pool.SegmentSize);
    }

    private void Append(ReadOnlySpan<byte> record)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, record.Length);
        Copy(prefix);
        Copy(record);
        RecordCount++;
    }

    // Capacity was rented beforehand, so the spare queue always holds the segments this needs.
    private void Copy(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_segments.Count == 0 || _positionInLast == _segments[^1].Size)
            {
                _segments.Add(_spare.Dequeue());
                _positionInLast = 0;
            }
            var segment = _segments[^1];
            int n = Math.Min(bytes.Length, segment.Size - _positionInLast);
            bytes[..n].CopyTo(segment.Span[_positionInLast..]);
            bytes = bytes[n..];
            _positionInLast += n;
            Length += n;
        }
    }
}
