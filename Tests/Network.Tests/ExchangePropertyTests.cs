using System.Text;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using FsCheck;
using FsCheck.Fluent;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

/// <summary>
/// Every record arrives exactly once and in order per channel, whatever the segment size, record sizes,
/// flush points, buffer timeouts, buffer counts and blocking of channels. A failure prints the scenario
/// (FsCheck also prints its own seed); every random choice derives from <see cref="Scenario.Seed"/>, so
/// <c>ExchangePropertyTests.Run(new Scenario(...))</c> replays it.
/// </summary>
public sealed class ExchangePropertyTests
{
    public sealed record Scenario(
        int SegmentSize, int Producers, int Consumers,
        int Exclusive, int FloatingGate, int PerSubpartition, int FloatingPartition,
        bool FlushAlways, int FlusherMilliseconds, int RecordsPerProducer, int Seed);

    private static readonly Gen<Scenario> Scenarios =
        from segmentSize in Gen.Choose(64, 4096)
        from producers in Gen.Choose(1, 4)
        from consumers in Gen.Choose(1, 4)
        from exclusive in Gen.Choose(1, 3)
        from floatingGate in Gen.Choose(0, 4)
        from perSubpartition in Gen.Choose(1, 3)
        from floatingPartition in Gen.Choose(0, 4)
        from flushAlways in Gen.Elements(false, false, true)
        from flusher in Gen.Elements(0, 1, 2, 5)
        from records in Gen.Choose(0, 250)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Scenario(segmentSize, producers, consumers, exclusive, floatingGate, perSubpartition, floatingPartition,
            flushAlways, flusher, records, seed);

    // 40 cases keep the default run quick; NETWORK_PROPERTY_TESTS=1000 soaks for races.
    private static int MaxTest =>
        int.TryParse(Environment.GetEnvironmentVariable("NETWORK_PROPERTY_TESTS"), out int n) && n > 0 ? n : 40;

    [Fact]
    public void Every_record_arrives_exactly_once_and_in_order_per_channel() =>
        Prop.ForAll(Scenarios.ToArbitrary(), Run)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTest));

    [Fact]
    public void Tiny_segments_with_huge_records_and_a_single_credit() =>
        Run(new Scenario(64, 2, 3, 1, 0, 1, 0, FlushAlways: false, FlusherMilliseconds: 1, RecordsPerProducer: 150, Seed: 42));

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789é€";

    private static string Payload(Random random, int length)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }
        return builder.ToString();
    }

    private readonly record struct Step(int Target, string? Record, int Event, bool FlushAfter);

    internal static void Run(Scenario s)
    {
        var settings = new NetworkSettings
        {
            ExclusiveBuffersPerChannel = s.Exclusive,
            FloatingBuffersPerGate = s.FloatingGate,
            BuffersPerSubpartition = s.PerSubpartition,
            FloatingBuffersPerPartition = s.FloatingPartition,
        };
        int segments = s.Producers * settings.PartitionBuffers(s.Consumers) + s.Consumers * settings.GateBuffers(s.Producers);
        var pool = new MemorySegmentPool((long)segments * s.SegmentSize, s.SegmentSize, "network");

        // The plan: what each producer emits, and what each channel (producer p -> consumer c) must deliver.
        var random = new Random(s.Seed);
        var plans = new List<Step>[s.Producers];
        var expected = new List<string>[s.Producers, s.Consumers];
        for (int p = 0; p < s.Producers; p++)
        {
            plans[p] = [];
            for (int c = 0; c < s.Consumers; c++)
            {
                expected[p, c] = [];
            }
            for (int i = 0; i < s.RecordsPerProducer; i++)
            {
                if (random.Next(40) == 0)
                {
                    plans[p].Add(new Step(-1, null, i, false));
                    for (int c = 0; c < s.Consumers; c++)
                    {
                        expected[p, c].Add($"#event {i}");
                    }
                    continue;
                }
                int target = random.Next(s.Consumers);
                string record = $"{p}/{target}/{expected[p, target].Count}/{Payload(random, random.Next(0, 601))}";
                expected[p, target].Add(record);
                plans[p].Add(new Step(target, record, 0, random.Next(25) == 0));
            }
        }

        var partitions = new ResultPartition[s.Producers];
        var gates = new InputGate[s.Consumers];
        for (int c = 0; c < s.Consumers; c++)
        {
            gates[c] = new InputGate($"consumer {c}", s.Producers, pool, settings);
        }
        for (int p = 0; p < s.Producers; p++)
        {
            partitions[p] = new ResultPartition($"producer {p}", s.Consumers, pool, settings, CancellationToken.None);
            for (int c = 0; c < s.Consumers; c++)
            {
                LocalChannel.Connect(partitions[p].GetSubpartition(c), gates[c].GetChannel(p));
            }
        }

        var failures = new List<Exception>();
        var threads = new List<Thread>();
        for (int p = 0; p < s.Producers; p++)
        {
            int producer = p;
            threads.Add(Start(() => Produce(s, partitions[producer], plans[producer]), failures));
        }
        var received = new List<string>[s.Producers, s.Consumers];
        for (int c = 0; c < s.Consumers; c++)
        {
            int consumer = c;
            for (int p = 0; p < s.Producers; p++)
            {
                received[p, c] = [];
            }
            threads.Add(Start(() => Consume(s, gates[consumer], consumer, received), failures));
        }
        threads.ForEach(Join);
        if (failures.Count > 0)
        {
            throw new AggregateException($"Scenario {s} failed.", failures);
        }

        for (int p = 0; p < s.Producers; p++)
        {
            for (int c = 0; c < s.Consumers; c++)
            {
                if (!expected[p, c].SequenceEqual(received[p, c]))
                {
                    int at = expected[p, c].Zip(received[p, c]).TakeWhile(pair => pair.First == pair.Second).Count();
                    throw new InvalidOperationException(
                        $"Channel {p} -> {c}: expected {expected[p, c].Count} items, received {received[p, c].Count}, first difference at {at}.");
                }
            }
        }

        foreach (var partition in partitions)
        {
            partition.Release();
        }
        foreach (var gate in gates)
        {
            gate.Release();
        }
        if (pool.AvailableSegments != pool.TotalSegments)
        {
            throw new InvalidOperationException($"{pool.TotalSegments - pool.AvailableSegments} segments were not returned.");
        }
    }

    private static void Produce(Scenario s, ResultPartition partition, List<Step> plan)
    {
        var writer = new RecordWriter<string>(partition, new StringSerializer(), s.FlushAlways);
        int flushRequested = 0;
        using var flusher = s.FlusherMilliseconds > 0
            ? new OutputFlusher(TimeSpan.FromMilliseconds(s.FlusherMilliseconds), () => Volatile.Write(ref flushRequested, 1))
            : null;
        foreach (var step in plan)
        {
            if (step.Record is null)
            {
                partition.BroadcastEvent(new TestEvent(step.Event));
                continue;
            }
            writer.Emit(step.Record, step.Target);
            // The flush runs on the producing thread, as the task's mailbox would run it.
            if (step.FlushAfter || Interlocked.Exchange(ref flushRequested, 0) == 1)
            {
                writer.Flush();
            }
        }
        partition.Finish();
    }

    private static void Consume(Scenario s, InputGate gate, int consumer, List<string>[,] received)
    {
        var random = new Random(s.Seed ^ (consumer + 1) * 7919);
        var available = new SemaphoreSlim(0);
        gate.SetAvailabilityListener(() => available.Release());
        var deserializers = new RecordDeserializer<string>[gate.NumberOfChannels];
        for (int i = 0; i < deserializers.Length; i++)
        {
            deserializers[i] = new RecordDeserializer<string>(new StringSerializer());
        }
        var blocked = new List<int>();
        while (!gate.IsFinished)
        {
            if (!gate.TryGetNext(out var next))
            {
                if (blocked.Count > 0)
                {
                    // Never wait on a blocked channel: unblock as soon as the others run dry.
                    blocked.ForEach(gate.ResumeChannel);
                    blocked.Clear();
                }
                else if (!available.Wait(Hang))
                {
                    throw new TimeoutException($"Consumer {consumer} got no input.");
                }
                continue;
            }
            int channel = next.ChannelIndex;
            Assert.DoesNotContain(channel, blocked);
            var target = received[channel, consumer];
            if (next.IsBuffer)
            {
                var deserializer = deserializers[channel];
                deserializer.SetNextBuffer(next.Buffer!);
                while (deserializer.TryNext(out var record))
                {
                    target.Add(record);
                }
            }
            else
            {
                Assert.False(deserializers[channel].HasPartialRecord);
                if (next.Event is TestEvent e)
                {
                    target.Add($"#event {e.Id}");
                }
                else
                {
                    Assert.Same(EndOfPartitionEvent.Instance, next.Event);
                    Assert.True(gate.GetChannel(channel).IsFinished);
                }
            }
            if (random.Next(8) == 0 && !gate.GetChannel(channel).IsFinished && !blocked.Contains(channel))
            {
                gate.BlockChannel(channel);
                blocked.Add(channel);
            }
        }
    }
}
