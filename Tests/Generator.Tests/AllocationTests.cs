using DataflowCompiler.Fusion;
using Xunit.Abstractions;

namespace DataflowCompiler.Generator.Tests;

/// <summary>
/// A fused chain allocates nothing per record in steady state. The probe sink reads the task thread's own
/// allocation counter between two record counts, so other threads (test runner, flusher, tiering) do not count.
/// </summary>
public sealed class AllocationTests(ITestOutputHelper output)
{
    private const string Job = """
        using System;
        using DataflowCompiler;
        using DataflowCompiler.Functions;
        using DataflowCompiler.Sinks;
        using DataflowCompiler.Sources;
        using DataflowCompiler.Time;
        using DataflowCompiler.Windowing;

        namespace Jobs.Allocation;

        public readonly record struct Reading(long Sensor, double Value);

        /// <summary>Reads the task thread's allocated bytes at record Warmup and at record Warmup + Measured.</summary>
        public sealed class AllocationProbe : ISink<Reading>
        {
            public const long Warmup = 300_000;
            public const long Measured = 4_000_000;
            public static long Before;
            public static long After;
            public static long Checksum;

            public string Name => "Probe";

            public ISinkWriter<Reading> CreateWriter(SinkWriterContext context) => new Writer();

            private sealed class Writer : ISinkWriter<Reading>
            {
                private long _count;
                private double _sum;

                public void Write(Reading record)
                {
                    _sum += record.Value;
                    _count++;
                    if (_count == Warmup)
                    {
                        Before = GC.GetAllocatedBytesForCurrentThread();
                    }
                    else if (_count == Warmup + Measured)
                    {
                        After = GC.GetAllocatedBytesForCurrentThread();
                    }
                }

                public void Flush(bool endOfInput) => Checksum = (long)_sum;

                public void Dispose()
                {
                }
            }
        }

        [DataflowJob]
        public static partial class AllocationJob
        {
            public static readonly AllocationProbe Probe = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(0, AllocationProbe.Warmup + AllocationProbe.Measured + 10_000)
                   .Map(static i => new Reading(i % 64, i * 0.5))
                   .Filter(static r => r.Sensor != 63)
                   .Map(static r => r with { Value = r.Value + 1 })
                   .SinkTo(Probe);
        }

        /// <summary>A rolling sum over 64 keys: after the warm-up every key has its entry in the flat state.</summary>
        [DataflowJob]
        public static partial class KeyedAllocationJob
        {
            public static readonly AllocationProbe Probe = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(0, AllocationProbe.Warmup + AllocationProbe.Measured + 10_000)
                   .Map(static i => new Reading(i % 64, i * 0.5))
                   .KeyBy(static r => r.Sensor)
                   .Sum(r => r.Value)
                   .SinkTo(Probe);
        }

        /// <summary>A source with a watermark strategy: per record its assigner and generator, periodic watermarks from the task's timer.</summary>
        [DataflowJob]
        public static partial class TimestampedSourceJob
        {
            public static readonly AllocationProbe Probe = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new SequenceSource(0, AllocationProbe.Warmup + AllocationProbe.Measured + 10_000),
                        WatermarkStrategy.ForBoundedOutOfOrderness<long>(TimeSpan.FromMilliseconds(10), static i => i), "timestamped")
                   .Map(static i => new Reading(i % 64, i * 0.5))
                   .Filter(static r => r.Sensor != 63)
                   .Map(static r => r with { Value = r.Value + 1 })
                   .SinkTo(Probe);
        }

        /// <summary>A network-headed chain reading a timestamped edge (each record prefixed with its timestamp); the probe runs in it.</summary>
        [DataflowJob]
        public static partial class TimestampedEdgeJob
        {
            public static readonly AllocationProbe Probe = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new SequenceSource(0, AllocationProbe.Warmup + AllocationProbe.Measured + 10_000),
                        WatermarkStrategy.ForMonotonousTimestamps<long>(static i => i), "timestamped")
                   .Map(static i => new Reading(i % 64, i * 0.5))
                   .KeyBy(static r => r.Sensor)
                   .Map(static r => r with { Value = r.Value + 1 })
                   .SinkTo(Probe);
        }

        public sealed class CountReadings : IAggregateFunction<long, long, long>
        {
            public long CreateAccumulator() => 0;
            public long Add(long value, long accumulator) => accumulator + 1;
            public long GetResult(long accumulator) => accumulator;
            public long Merge(long a, long b) => a + b;
        }

        /// <summary>
        /// A fused window chain (tumbling count over 64 keys, a watermark every 100 records): the probe after it counts window
        /// results, so the measured span covers adding records and firing windows on the window's task thread.
        /// </summary>
        [DataflowJob]
        public static partial class TumblingWindowJob
        {
            public static readonly AllocationProbe Probe = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new SequenceSource(0, 7_000_000),
                        WatermarkStrategy.ForPunctuatedWatermarks<long>(static (i, ts) => i % 100 == 99 ? ts - 1 : null).WithTimestampAssigner(static i => i), "ticks")
                   .KeyBy(static i => i * 7919 % 64)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Aggregate(new CountReadings())
                   .Map(static n => new Reading(n, n * 0.5))
                   .SinkTo(Probe);
        }

        /// <summary>The same keys in sliding windows (size 3 slides): each record lands in one slice, each window folds three.</summary>
        [DataflowJob]
        public static partial class SlidingWindowJob
        {
            public static readonly AllocationProbe Probe = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new SequenceSource(0, 7_000_000),
                        WatermarkStrategy.ForPunctuatedWatermarks<long>(static (i, ts) => i % 100 == 99 ? ts - 1 : null).WithTimestampAssigner(static i => i), "ticks")
                   .KeyBy(static i => i * 7919 % 64)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100)))
                   .Reduce(static (a, b) => a + b)
                   .Map(static n => new Reading(n, n * 0.5))
                   .SinkTo(Probe);
        }
        """;

    private static readonly Lazy<(System.Reflection.Assembly Assembly, string Generated)> Jobs = new(() => GeneratorHarness.CompileAndLoad("AllocationJobs", Job));

    [Theory]
    [InlineData("AllocationJob", 1)]
    [InlineData("KeyedAllocationJob", 2)]
    [InlineData("TimestampedSourceJob", 1)]
    [InlineData("TimestampedEdgeJob", 2)]
    [InlineData("TumblingWindowJob", 2)]
    [InlineData("SlidingWindowJob", 2)]
    public void Fused_chain_allocates_nothing_per_record(string jobName, int chains)
    {
        var (assembly, generated) = Jobs.Value;
        var job = assembly.GetType("Jobs.Allocation." + jobName, throwOnError: true)!;
        var probe = assembly.GetType("Jobs.Allocation.AllocationProbe", throwOnError: true)!;
        probe.GetField("Before")!.SetValue(null, 0L);
        probe.GetField("Checksum")!.SetValue(null, 0L);
        var log = new List<string>();
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = 1, Fusion = FusionMode.Enabled, FusionLog = line => { lock (log) { log.Add(line); } } });
        job.GetMethod("Define")!.Invoke(null, new object[] { env });
        env.Execute("allocation");

        Assert.Equal(chains, log.Count);
        Assert.All(log, line => Assert.Contains("runs fused", line));
        if (jobName == "KeyedAllocationJob")
        {
            Assert.Contains("FlatValueState<long, global::Jobs.Allocation.Reading>", generated); // the keyed chain's state
        }
        long before = (long)probe.GetField("Before")!.GetValue(null)!;
        long after = (long)probe.GetField("After")!.GetValue(null)!;
        Assert.NotEqual(0, before);
        Assert.NotEqual(0, (long)probe.GetField("Checksum")!.GetValue(null)!);
        long measured = (long)probe.GetField("Measured")!.GetRawConstantValue()!;
        // The thread's counter is exact only up to its current allocation context (8 KiB, retired and refilled around
        // collections), so the bound is a few contexts over 4 million records: one byte per 60 records would exceed it,
        // one 64-byte delegate per 512-record batch would exceed it eight times.
        long allocated = after - before;
        output.WriteLine($"{allocated} bytes over {measured} records on the task thread");
        Assert.True(Math.Abs(allocated) < 64 * 1024, $"{allocated} bytes allocated over {measured} records ({(double)allocated / measured:F4} per record)");
    }
}
