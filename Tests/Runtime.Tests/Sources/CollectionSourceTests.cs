using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.Sources;

public sealed class CollectionSourceTests
{
    [Fact]
    public void Emits_items_in_order_then_stays_at_end_of_input()
    {
        var source = new CollectionSource<string>(["c", "a", "b", "a"]);
        using var reader = source.CreateReader(SourceDriver.Context());

        Assert.Equal(["c", "a", "b", "a"], SourceDriver.Take(reader, 4));
        Assert.Equal(ReadStatus.EndOfInput, reader.PollNext(out _));
        Assert.Equal(ReadStatus.EndOfInput, reader.PollNext(out _));
    }

    [Fact]
    public void Empty_collection_ends_at_once()
    {
        Assert.Empty(SourceDriver.ReadAll(new CollectionSource<int>([])));
    }

    [Fact]
    public void Materializes_the_items_once_at_construction()
    {
        int enumerations = 0;
        IEnumerable<int> Items()
        {
            enumerations++;
            yield return 1;
            yield return 2;
        }

        var list = new List<int> { 7, 8 };
        var fromList = new CollectionSource<int>(list);
        list.Add(9);
        var fromIterator = new CollectionSource<int>(Items());

        Assert.Equal([7, 8], SourceDriver.ReadAll(fromList));
        Assert.Equal([1, 2], SourceDriver.ReadAll(fromIterator));
        Assert.Equal([1, 2], SourceDriver.ReadAll(fromIterator));
        Assert.Equal(1, enumerations);
    }

    [Fact]
    public void Null_items_throw_naming_the_parameter()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new CollectionSource<int>(null!));
        Assert.Equal("items", ex.ParamName);
    }

    [Fact]
    public void Is_bounded_and_non_parallel()
    {
        var source = new CollectionSource<int>([1]);
        Assert.Equal(Boundedness.Bounded, source.Boundedness);
        Assert.Equal(1, source.MaxParallelism);
        var ex = Assert.Throws<ArgumentException>(() => source.CreateReader(SourceDriver.Context(0, 2)));
        Assert.Contains("non-parallel", ex.Message);
    }

    [Fact]
    public void Index_counts_emitted_records_and_a_new_reader_resumes_from_it()
    {
        var source = new CollectionSource<int>(Enumerable.Range(0, 10));
        long saved;
        using (var reader = (CollectionSource<int>.Reader)source.CreateReader(SourceDriver.Context()))
        {
            SourceDriver.Take(reader, 4);
            Assert.Equal(4, reader.Index);
            saved = ((IPositionedReader)reader).Position;
        }

        using var signal = new SemaphoreSlim(0);
        using var restored = source.CreateReader(SourceDriver.Context());
        ((IPositionedReader)restored).Seek(saved);
        Assert.Equal(Enumerable.Range(4, 6), SourceDriver.Drain(restored, signal));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((IPositionedReader)restored).Seek(11));
    }
}
