using DataflowCompiler.Sources;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Sources;

public sealed class GeneratorSourceTests
{
    [Fact]
    public void Emits_generator_of_each_index_in_order()
    {
        var source = new GeneratorSource<string>(i => $"r{i}", 4);
        Assert.Equal(["r0", "r1", "r2", "r3"], SourceDriver.ReadAll(source));
        Assert.Equal(Boundedness.Bounded, source.Boundedness);
    }

    [Fact]
    public void Zero_count_emits_nothing_and_negative_count_throws()
    {
        Assert.Empty(SourceDriver.ReadAll(new GeneratorSource<long>(i => i, 0), 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratorSource<long>(i => i, -1));
        Assert.Throws<ArgumentNullException>(() => new GeneratorSource<long>(null!, 1));
    }

    [Fact]
    public void Split_across_1_to_4_subtasks_generates_every_index_exactly_once()
    {
        var cases = Gen.Choose(0, 200).SelectMany(count => Gen.Choose(1, 4), (count, parallelism) => (Count: count, Parallelism: parallelism));

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var source = new GeneratorSource<long>(i => i * 10, c.Count);
            var all = Enumerable.Range(0, c.Parallelism).SelectMany(i => SourceDriver.ReadAll(source, i, c.Parallelism)).ToList();
            return all.SequenceEqual(Enumerable.Range(0, c.Count).Select(i => i * 10L));
        }).Check(Config.QuickThrowOnFailure);
    }

    [Fact]
    public void Unbounded_factory_and_MaxValue_count_are_unbounded()
    {
        var source = GeneratorSource<long>.Unbounded(i => i);
        Assert.Equal(Boundedness.ContinuousUnbounded, source.Boundedness);
        Assert.Equal(long.MaxValue, source.Count);
        Assert.Equal(Boundedness.ContinuousUnbounded, new GeneratorSource<long>(i => i, long.MaxValue).Boundedness);

        using var reader = source.CreateReader(SourceDriver.Context(0, 2));
        Assert.Equal([0L, 1, 2, 3, 4], SourceDriver.Take(reader, 5));
    }

    [Fact]
    public void Generator_failure_names_the_index()
    {
        var source = new GeneratorSource<int>(i => i == 2 ? throw new FormatException("bad") : (int)i, 5);
        using var reader = source.CreateReader(SourceDriver.Context());
        SourceDriver.Take(reader, 2);

        var ex = Assert.Throws<InvalidOperationException>(() => reader.PollNext(out _));
        Assert.Contains("index 2", ex.Message);
        Assert.IsType<FormatException>(ex.InnerException);
    }

    [Fact]
    public void Position_restores_the_same_records()
    {
        var source = new GeneratorSource<string>(i => $"r{i}", 10);
        using var signal = new SemaphoreSlim(0);
        using var first = source.CreateReader(SourceDriver.Context(0, 2));
        SourceDriver.Take(first, 2);
        long saved = ((IPositionedReader)first).Position;
        var rest = SourceDriver.Drain(first, signal);

        using var restored = source.CreateReader(SourceDriver.Context(0, 2));
        ((IPositionedReader)restored).Seek(saved);
        Assert.Equal(["r2", "r3", "r4"], rest);
        Assert.Equal(rest, SourceDriver.Drain(restored, signal));
    }
}
