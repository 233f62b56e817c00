using System.Buffers.Binary;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using FsCheck;
using FsCheck.Fluent;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

/// <summary>
/// Producers and a consumer run on their own threads while priority events cut through the data in flight. For every
/// priority event, what the consumer took before it, the buffers it overtook on the consumer side and the copies the
/// producer got back are together exactly the channel's bytes written before the event, which is what an unaligned
/// checkpoint persists. Every random choice derives from <see cref="Scenario.Seed"/>, so <c>Run(new Scenario(...))</c> replays.
/// </summary>
public sealed class PriorityEventPropertyTests
{
    public sealed record Scenario(
        int SegmentSize, int Producers, int Exclusive, int FloatingGate, int PerSubpartition, int FloatingPartition,
        bool FlushAlways, int Steps, int Seed);

    private static readonly Gen<Scenario> Scenarios =
        from segmentSize in Gen.Choose(64, 512)
        from producers in Gen.Choose(1, 3)
        from exclusive in Gen.Choose(1, 3)
        from floatingGate in Gen.Choose(0, 4)
        from perSubpartition in Gen.Choose(1, 3)
        from floatingPartition in Gen.Choose(0, 4)
        from flushAlways in Gen.Elements(false, false, true)
        from steps in Gen.Choose(0, 300)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Scenario(segmentSize, producers, exclusive, floatingGate, perSubpartition, floatingPartition, flushAlways, steps, seed);

    // 30 cases keep the default run quick; NETWORK_PROPERTY_TESTS=1000 soaks for races.
    private static int MaxTest =>
        int.TryParse(Environment.GetEnvironmentVariable("NETWORK_PROPERTY_TESTS"), out int n) && n > 0 ? n : 30;

    [Fact]
    public void Consumer_share_and_producer_copies_of_every_priority_event_are_exactly_the_bytes_written_before_it() =>
        Prop.ForAll(Scenarios.ToArbitrary(), Run)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTest));

    private enum Kind { Record, Flush, Event, PriorityEvent }

    private readonly record struct Step(Kind Kind, string? Record, int Id);

    private sealed record ProducerCut(int Id, int Prefix, byte[][] Copies);

    private sealed record ConsumerCut(int Id, int TakenBefore, int Overtaken);

    internal static void Run(Scenario s)
    {
        var settings = new NetworkSettings
        {
            ExclusiveBuffersPerChannel = s.Exclusive,
            FloatingBuffersPerGate = s.FloatingGate,
            BuffersPerSubpartition = s.PerSubpartition,
            FloatingBuffersPerPartition = s.FloatingPartition,
        };
        var pool = new MemorySegmentPool(
            (long)(s.Producers * settings.PartitionBuffers(1) + settings.GateBuffers(s.Producers)) * s.SegmentSize, s.SegmentSize, "network");
        var random = new Random(s.Seed);
        var plans = new List<Step>[s.Producers];
        var expectedItems = new List<string>[s.Producers];
        for (int p = 0; p < s.Producers; p++)
        {
            plans[p] = [];
            expectedItems[p] = [];
            for (int i = 0; i < s.Steps; i++)
            {
                int roll = random.Next(60);
                var step = roll switch
                {
                    < 4 => new Step(Kind.PriorityEvent, null, i),
                    < 5 => new Step(Kind.Event, null, i),
                    < 8 => new Step(Kind.Flush, null, i),
                    _ => new Step(Kind.Record, $"{p}/{i}/" + new string((char)('a' + i % 26), random.Next(0, 3 * s.SegmentSize)), i),
                };
                plans[p].Add(step);
                if (step.Kind is Kind.Record or Kind.Event)
                {
                    expectedItems[p].Add(step.Record ?? $"#event {i}");
                }
            }
        }

        var gate = new InputGate("sink", s.Producers, pool, settings);
        var partitions = new ResultPartition[s.Producers];
        for (int p = 0; p < s.Producers; p++)
        {
            partitions[p] = new ResultPartition($"source {p}", 1, pool, settings, CancellationToken.None);
            LocalChannel.Connect(partitions[p].GetSubpartition(0), gate.GetChannel(p));
        }

        var producerCuts = new List<ProducerCut>[s.Producers];
        var frames = new byte[s.Producers][];
        var failures = new List<Exception>();
        var threads = new List<Thread>();
        for (int p = 0; p < s.Producers; p++)
        {
            int producer = p;
            producerCuts[p] = [];
            threads.Add(Start(() => frames[producer] = Produce(s, partitions[producer], plans[producer], producerCuts[producer]), failures));
        }
        var buffers = new List<byte[]>[s.Producers];
        var items = new List<string>[s.Producers];
        var consumerCuts = new List<ConsumerCut>[s.Producers];
        for (int p = 0; p < s.Producers; p++)
        {
            buffers[p] = [];
            items[p] = [];
            consumerCuts[p] = [];
        }
        threads.Add(Start(() => Consume(gate, buffers, items, consumerCuts), failures));
        threads.ForEach(Join);
        if (failures.Count > 0)
        {
            throw new AggregateException($"Scenario {s} failed.", failures);
        }

        for (int p = 0; p < s.Producers; p++)
        {
            Assert.Equal(expectedItems[p], items[p]);
            Assert.Equal(frames[p], buffers[p].SelectMany(b => b).ToArray());
            Assert.Equal(producerCuts[p].Select(c => c.Id), consumerCuts[p].Select(c => c.Id));
            foreach (var (produced, consumed) in producerCuts[p].Zip(consumerCuts[p]))
            {
                int consumerShare = consumed.TakenBefore + consumed.Overtaken;
                Assert.True(consumerShare + produced.Copies.Length <= buffers[p].Count, $"Scenario {s}: cut {produced.Id} of channel {p} counts more buffers than arrived.");
                // The producer's copies are the buffers that follow the consumer's share, one for one.
                Assert.Equal(produced.Copies, buffers[p].Skip(consumerShare).Take(produced.Copies.Length));
                // Together: the channel's bytes up to the event, nothing more, nothing less.
                var persisted = buffers[p].Take(consumerShare).Concat(produced.Copies).SelectMany(b => b).ToArray();
                Assert.Equal(frames[p].AsSpan(0, produced.Prefix).ToArray(), persisted);
            }
        }

        foreach (var partition in partitions)
        {
            partition.Release();
        }
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    private static byte[] Produce(Scenario s, ResultPartition partition, List<Step> plan, List<ProducerCut> cuts)
    {
        var serializer = new StringSerializer();
        var writer = new RecordWriter<string>(partition, serializer, s.FlushAlways);
        var output = new DataOutputSerializer();
        var frame = new List<byte>();
        foreach (var step in plan)
        {
            switch (step.Kind)
            {
                case Kind.Record:
                    writer.Emit(step.Record!, 0);
                    output.Clear();
                    serializer.Serialize(step.Record!, output);
                    var prefix = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(prefix, output.Length);
                    frame.AddRange(prefix);
                    frame.AddRange(output.WrittenSpan.ToArray());
                    break;
                case Kind.Flush:
                    writer.Flush();
                    break;
                case Kind.Event:
                    partition.BroadcastEvent(new TestEvent(step.Id));
                    break;
                case Kind.PriorityEvent:
                    var copies = partition.BroadcastPriorityEvent(new TestEvent(step.Id));
                    cuts.Add(new ProducerCut(step.Id, frame.Count, Assert.Single(copies)));
                    break;
            }
        }
        partition.Finish();
        return [.. frame];
    }

    private static void Consume(InputGate gate, List<byte[]>[] buffers, List<string>[] items, List<ConsumerCut>[] cuts)
    {
        var available = new SemaphoreSlim(0);
        gate.SetAvailabilityListener(() => available.Release());
        var deserializers = Enumerable.Range(0, gate.NumberOfChannels).Select(_ => new RecordDeserializer<string>(new StringSerializer())).ToArray();
        while (!gate.IsFinished)
        {
            if (!gate.TryGetNext(out var next))
            {
                if (!available.Wait(Hang))
                {
                    throw new TimeoutException("The consumer got no input.");
                }
                continue;
            }
            int channel = next.ChannelIndex;
            if (next.IsBuffer)
            {
                buffers[channel].Add(next.Buffer!.Data.ToArray());
                var deserializer = deserializers[channel];
                deserializer.SetNextBuffer(next.Buffer);
                while (deserializer.TryNext(out var record))
                {
                    items[channel].Add(record);
                }
            }
            else if (next.IsPriority)
            {
                cuts[channel].Add(new ConsumerCut(((TestEvent)next.Event!).Id, buffers[channel].Count, next.OvertakenBuffers));
            }
            else if (next.Event is TestEvent e)
            {
                Assert.False(deserializers[channel].HasPartialRecord);
                items[channel].Add($"#event {e.Id}");
            }
        }
    }
}
