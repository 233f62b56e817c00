using DataflowCompiler.Sources;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Sources;

public sealed class SequenceSourceTests
{
    [Fact]
    public void Single_subtask_emits_the_inclusive_range_in_order()
    {
        Assert.Equal([-2L, -1, 0, 1, 2, 3], SourceDriver.ReadAll(new SequenceSource(-2, 3)));
        Assert.Equal([5L], SourceDriver.ReadAll(new SequenceSource(5, 5)));
    }

    [Fact]
    public void From_greater_than_to_throws_naming_both()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SequenceSource(10, 3));
        Assert.Contains("10", ex.Message);
        Assert.Contains("3", ex.Message);
    }

    [Fact]
    public void Is_bounded_and_parallel()
    {
        var source = new SequenceSource(0, 1);
        Assert.Equal(Boundedness.Bounded, source.Boundedness);
        Assert.True(source.MaxParallelism > 1);
    }

    [Fact]
    public void Subtasks_get_contiguous_chunks_in_subtask_order_that_differ_by_at_most_one()
    {
        // 10 values over 4 subtasks: ⌊i·10/4⌋ gives starts 0, 2, 5, 7.
        var chunks = Enumerable.Range(0, 4).Select(i => SourceDriver.ReadAll(new SequenceSource(0, 9), i, 4)).ToList();
        Assert.Equal([0L, 1], chunks[0]);
        Assert.Equal([2L, 3, 4], chunks[1]);
        Assert.Equal([5L, 6], chunks[2]);
        Assert.Equal([7L, 8, 9], chunks[3]);
    }

    [Fact]
    public void Split_across_1_to_4_subtasks_covers_the_range_exactly_once()
    {
        var cases = Gen.Choose(-50, 50).SelectMany(from => Gen.Choose(0, 60), (from, length) => (from, length))
            .SelectMany(t => Gen.Choose(1, 4), (t, parallelism) => (From: (long)t.from, To: (long)t.from + t.length, Parallelism: parallelism));

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var source = new SequenceSource(c.From, c.To);
            var chunks = Enumerable.Range(0, c.Parallelism).Select(i => SourceDriver.ReadAll(source, i, c.Parallelism)).ToList();
            var sizes = chunks.Select(chunk => chunk.Count).ToList();
            return chunks.SelectMany(chunk => chunk).SequenceEqual(Enumerable.Range((int)c.From, (int)(c.To - c.From + 1)).Select(v => (long)v))
                && sizes.Max() - sizes.Min() <= 1;
        }).Check(Config.QuickThrowOnFailure);
    }

    [Fact]
    public void More_subtasks_than_values_leaves_some_subtasks_empty()
    {
        var source = new SequenceSource(1, 2);
        var chunks = Enumerable.Range(0, 4).Select(i => SourceDriver.ReadAll(source, i, 4)).ToList();
        Assert.Equal([1L, 2], chunks.SelectMany(c => c));
        Assert.Equal(2, chunks.Count(c => c.Count == 0));
    }

    [Fact]
    public void Range_ending_at_long_MaxValue_ends_without_overflow()
    {
        Assert.Equal([long.MaxValue - 2, long.MaxValue - 1, long.MaxValue], SourceDriver.ReadAll(new SequenceSource(long.MaxValue - 2, long.MaxValue)));
    }

    [Fact]
    public void Full_long_range_splits_exactly()
    {
        // 2^64 values do not fit in a long; the chunks must still tile the range.
        var chunks = Enumerable.Range(0, 3).Select(i => RangeCursor.ForSubtask(long.MinValue, long.MaxValue, i, 3)).ToList();
        Assert.Equal(long.MinValue, chunks[0].First);
        for (int i = 1; i < 3; i++)
            Assert.Equal((Int128)chunks[i - 1].First + chunks[i - 1].Count, chunks[i].First);
        Assert.Equal(Int128.One << 64, chunks.Aggregate(Int128.Zero, (sum, c) => sum + c.Count));
        Assert.Equal((Int128)long.MaxValue, (Int128)chunks[2].First + chunks[2].Count - 1);
    }

    [Fact]
    public void Position_restores_a_subtask_mid_chunk()
    {
        var source = new SequenceSource(0, 99);
        long saved;
        using (var reader = source.CreateReader(SourceDriver.Context(1, 2)))
        {
            Assert.Equal([50L, 51, 52], SourceDriver.Take(reader, 3));
            saved = ((IPositionedReader)reader).Position;
        }

        Assert.Equal(3, saved);
        using var signal = new SemaphoreSlim(0);
        using var restored = source.CreateReader(SourceDriver.Context(1, 2));
        ((IPositionedReader)restored).Seek(saved);
        Assert.Equal(Enumerable.Range(53, 47).Select(v => (long)v), SourceDriver.Drain(restored, signal));
    }
}
