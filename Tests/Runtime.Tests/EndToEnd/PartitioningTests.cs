using DataflowCompiler.Functions;
using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.EndToEnd;

/// <summary>Each partitioner, observed through the subtask index that received each record.</summary>
public sealed class PartitioningTests
{
    private const int Records = 4000;

    private static (StreamEnvironment Env, DataStream<long> Source) Setup(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(parallelism);
        return (env, env.FromSequence(0, Records - 1));
    }

    private static CollectSink<(long Value, int Subtask)> Tag(DataStream<long> stream, int parallelism) =>
        stream.Map(new TagWithSubtask()).SetParallelism(parallelism).CollectToList();

    private sealed class TagWithSubtask : RichFunction, IMapFunction<long, (long, int)>
    {
        public (long, int) Map(long value) => (value, RuntimeContext.SubtaskIndex);
    }

    [Theory, InlineData(2), InlineData(4)]
    public void Global_sends_everything_to_the_first_subtask(int parallelism)
    {
        var (env, source) = Setup(parallelism);
        var sink = Tag(source.Global(), parallelism);
        env.Execute();
        Assert.Equal(Records, sink.Results.Count);
        Assert.All(sink.Results, r => Assert.Equal(0, r.Subtask));
    }

    [Theory, InlineData(2), InlineData(4)]
    public void Broadcast_sends_every_record_to_every_subtask(int parallelism)
    {
        var (env, source) = Setup(parallelism);
        var sink = Tag(source.Broadcast(), parallelism);
        env.Execute();
        foreach (var group in sink.Results.GroupBy(r => r.Subtask))
        {
            Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), group.Select(r => r.Value).Order());
        }
        Assert.Equal(parallelism, sink.Results.Select(r => r.Subtask).Distinct().Count());
    }

    [Theory, InlineData(2), InlineData(4)]
    public void Custom_partitioner_decides_the_subtask(int parallelism)
    {
        var (env, source) = Setup(parallelism);
        var sink = Tag(source.PartitionCustom(new ModuloPartitioner(), v => v), parallelism);
        env.Execute();
        Assert.Equal(Records, sink.Results.Count);
        Assert.All(sink.Results, r => Assert.Equal((int)(r.Value % parallelism), r.Subtask));
    }

    private sealed class ModuloPartitioner : IPartitioner<long>
    {
        public int Partition(long key, int numPartitions) => (int)(key % numPartitions);
    }

    [Theory, InlineData(2), InlineData(4)]
    public void Rebalance_spreads_records_evenly(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(parallelism);
        var sink = Tag(env.FromCollection(Enumerable.Range(0, Records).Select(i => (long)i).ToList()).Rebalance(), parallelism);
        env.Execute();
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), sink.Results.Select(r => r.Value).Order());
        // One producer round-robins, so every subtask gets exactly its share.
        Assert.All(sink.Results.GroupBy(r => r.Subtask), g => Assert.Equal(Records / parallelism, g.Count()));
    }

    [Theory, InlineData(2), InlineData(4)]
    public void Shuffle_keeps_every_record_once(int parallelism)
    {
        var (env, source) = Setup(parallelism);
        var sink = Tag(source.Shuffle(), parallelism);
        env.Execute();
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), sink.Results.Select(r => r.Value).Order());
    }

    [Fact]
    public void Rescale_connects_each_producer_to_its_own_consumers()
    {
        // 2 producers, 4 consumers: producer 0 feeds consumers 0 and 1, producer 1 feeds 2 and 3.
        var env = StreamEnvironment.CreateLocal(2);
        var producers = env.FromSequence(0, Records - 1).Map(new TagWithSubtask()).SetParallelism(2);
        var sink = producers.Rescale().Map(new AddConsumer()).SetParallelism(4).CollectToList();
        env.Execute();
        Assert.Equal(Records, sink.Results.Count);
        Assert.All(sink.Results, r => Assert.Equal(r.Producer, r.Consumer / 2));
        Assert.Equal(4, sink.Results.Select(r => r.Consumer).Distinct().Count());
    }

    private sealed class AddConsumer : RichFunction, IMapFunction<(long, int), (long Value, int Producer, int Consumer)>
    {
        public (long Value, int Producer, int Consumer) Map((long, int) value) => (value.Item1, value.Item2, RuntimeContext.SubtaskIndex);
    }

    [Fact]
    public void Key_by_sends_equal_keys_to_the_same_subtask_given_by_their_key_group()
    {
        var env = StreamEnvironment.CreateLocal(4);
        var sink = Tag(env.FromSequence(0, Records - 1).KeyBy(v => v % 97), 4);
        env.Execute();
        Assert.All(sink.Results.GroupBy(r => r.Value % 97), g => Assert.Single(g.Select(r => r.Subtask).Distinct()));
        // The subtask is the one that owns the key's key group (max parallelism 128 for parallelism 4).
        var serializer = env.Serializers.Get<long>();
        var bytes = new Memory.Serialization.DataOutputSerializer();
        foreach (var r in sink.Results.Take(200))
        {
            bytes.Clear();
            serializer.Serialize(r.Value % 97, bytes);
            int keyGroup = DataflowCompiler.State.KeyGroupRangeAssignment.AssignToKeyGroup(bytes.WrittenSpan, 128);
            Assert.Equal(DataflowCompiler.State.KeyGroupRangeAssignment.ComputeOperatorIndexForKeyGroup(128, 4, keyGroup), r.Subtask);
        }
    }
}
