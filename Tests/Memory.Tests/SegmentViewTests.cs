using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Memory.Tests;

public sealed class SegmentViewTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private static byte[] Pattern(int length, int salt) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + salt)).ToArray();

    [Fact]
    public void Contiguous_record_is_a_span_into_the_segment_and_a_straddling_one_is_copied()
    {
        var pool = new MemorySegmentPool(16 * 64, 64);
        using var output = new SegmentOutputView(pool);
        output.WriteRecord(Pattern(20, 1));  // bytes 0..23: inside segment 0
        output.WriteRecord(Pattern(100, 2)); // bytes 24..127: spans segments 0 and 1
        output.WriteRecord(Pattern(0, 3));   // bytes 128..131: empty record at the start of segment 2
        Assert.Equal(3, output.Segments.Count);
        Assert.Equal(132, output.Length);

        var input = new SegmentInputView(output);
        Assert.True(input.TryReadRecord(out var first));
        Assert.False(input.LastRecordWasCopied);
        Assert.True(first.Overlaps(output.Segments[0].Span));
        Assert.Equal(Pattern(20, 1), first.ToArray());

        Assert.True(input.TryReadRecord(out var second));
        Assert.True(input.LastRecordWasCopied);
        Assert.False(second.Overlaps(output.Segments[0].Span) || second.Overlaps(output.Segments[1].Span));
        Assert.Equal(Pattern(100, 2), second.ToArray());

        Assert.True(input.TryReadRecord(out var third));
        Assert.True(third.IsEmpty);
        Assert.False(input.TryReadRecord(out _));
        Assert.Equal(output.Length, input.Position);
    }

    [Fact]
    public void Length_prefix_straddling_a_boundary_is_read_correctly()
    {
        var pool = new MemorySegmentPool(16 * 64, 64);
        using var output = new SegmentOutputView(pool);
        output.WriteRecord(Pattern(58, 1)); // 62 bytes: the next prefix starts 2 bytes before the boundary
        output.WriteRecord(Pattern(10, 2));
        var input = new SegmentInputView(output.Segments, output.Length);
        Assert.True(input.TryReadRecord(out _));
        Assert.True(input.TryReadRecord(out var record));
        Assert.False(input.LastRecordWasCopied); // the body itself lies in segment 1
        Assert.Equal(Pattern(10, 2), record.ToArray());
    }

    [Fact]
    public void Record_larger_than_many_segments_round_trips_and_reset_rereads()
    {
        var pool = new MemorySegmentPool(64 * 64, 64);
        using var output = new SegmentOutputView(pool);
        byte[] big = Pattern(1000, 5);
        output.WriteRecord(big);
        Assert.Equal(16, output.Segments.Count); // 1004 bytes in 64-byte segments
        var input = new SegmentInputView(output);
        for (int pass = 0; pass < 2; pass++)
        {
            Assert.True(input.TryReadRecord(out var record));
            Assert.Equal(big, record.ToArray());
            input.Reset();
        }
    }

    [Fact]
    public void Release_returns_every_segment_and_the_view_can_be_reused()
    {
        var pool = new MemorySegmentPool(8 * 64, 64);
        var output = new SegmentOutputView(pool);
        output.WriteRecord(Pattern(300, 1));
        Assert.Equal(5, pool.RentedSegments);
        output.Release();
        Assert.Equal(0, pool.RentedSegments);
        Assert.Equal(0, output.Length);
        Assert.Empty(output.Segments);
        output.WriteRecord(Pattern(10, 2));
        Assert.Equal(1, output.RecordCount);
        output.Dispose();
        output.Dispose(); // idempotent, no double return
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public async Task Writing_beyond_the_budget_waits_for_a_returned_segment()
    {
        var pool = new MemorySegmentPool(2 * 64, 64);
        var held = pool.Rent();
        using var output = new SegmentOutputView(pool);
        output.WriteRecord(Pattern(60, 1)); // fills the one free segment exactly
        var pending = output.WriteRecordAsync(Pattern(10, 2)).AsTask();
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, output.RecordCount); // nothing of the second record written yet

        pool.Return(held);
        await pending.WaitAsync(Hang);
        Assert.Equal(2, output.RecordCount);
        var input = new SegmentInputView(output);
        Assert.True(input.TryReadRecord(out _));
        Assert.True(input.TryReadRecord(out var second));
        Assert.Equal(Pattern(10, 2), second.ToArray());
    }

    [Fact]
    public async Task Cancelled_write_leaves_no_partial_record_and_returns_what_it_rented()
    {
        var pool = new MemorySegmentPool(3 * 64, 64);
        var held = pool.Rent();
        var output = new SegmentOutputView(pool);
        output.WriteRecord(Pattern(10, 1));
        using var cts = new CancellationTokenSource();
        var pending = output.WriteRecordAsync(Pattern(200, 2), cts.Token).AsTask(); // needs more than the budget has left
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Hang));

        Assert.Equal(1, output.RecordCount);
        var input = new SegmentInputView(output);
        Assert.True(input.TryReadRecord(out var first));
        Assert.Equal(Pattern(10, 1), first.ToArray());
        Assert.False(input.TryReadRecord(out _));

        output.Dispose();
        pool.Return(held);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Truncated_input_throws_SerializationException()
    {
        var pool = new MemorySegmentPool(4 * 64, 64);
        using var output = new SegmentOutputView(pool);
        output.WriteRecord(Pattern(50, 1));
        var prefixCut = Assert.Throws<SerializationException>(() => new SegmentInputView(output.Segments, 2).TryReadRecord(out _));
        Assert.Contains("Truncated record length", prefixCut.Message);
        var bodyCut = Assert.Throws<SerializationException>(() => new SegmentInputView(output.Segments, 30).TryReadRecord(out _));
        Assert.Contains("claims 50 bytes, but 26 remain", bodyCut.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentInputView(output.Segments, 65));
    }

    [Fact]
    public void TryRead_rejects_a_serializer_that_leaves_bytes_unread()
    {
        var pool = new MemorySegmentPool(4 * 64, 64);
        var registry = new SerializerRegistry();
        using var output = new SegmentOutputView(pool);
        output.WriteRecord(registry.Get<long>(), 42L, new DataOutputSerializer());
        var input = new SegmentInputView(output);
        var e = Assert.Throws<SerializationException>(() => input.TryRead(registry.Get<int>(), out _));
        Assert.Contains("read 4 of the 8 bytes", e.Message);
    }
}
