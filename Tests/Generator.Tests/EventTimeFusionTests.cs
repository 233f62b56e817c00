using DataflowCompiler.Fusion;

namespace DataflowCompiler.Generator.Tests;

/// <summary>
/// Event-time jobs fuse: sources with a watermark strategy, AssignTimestampsAndWatermarks inside a chain, and chains
/// reading and writing timestamped edges give the records, timestamps and watermarks the interpreted path gives.
/// </summary>
public sealed class EventTimeFusionTests
{
    private const string Jobs = """
        using System;
        using System.Linq;
        using DataflowCompiler;
        using DataflowCompiler.Functions;
        using DataflowCompiler.Sinks;
        using DataflowCompiler.Sources;
        using DataflowCompiler.Time;
        using DataflowCompiler.Windowing;

        namespace Jobs.EventTime;

        public readonly record struct Click(long User, long Time, long Count);

        public static class Data
        {
            // Out of order by up to 39 ms, never more: a bound of 50 ms makes no record late, whatever the timing of periodic watermarks.
            public static readonly Click[] Clicks = Enumerable.Range(0, 3_000)
                .Select(i => new Click(i * 7919L % 13, i * 3L + i * 7919L % 40 - 20, 0)).ToArray();
        }

        /// <summary>What a process function sees of event time: the record's timestamp and the watermark it is processed under.</summary>
        public sealed class Stamp : ProcessFunction<Click, string>
        {
            public override void ProcessElement(Click value, Context context, ICollector<string> output) =>
                output.Collect($"{value.User}/{value.Time}/{value.Count}@{context.Timestamp} under {context.TimerService.CurrentWatermark}");
        }

        /// <summary>A window result with the timestamp it carries (the window's end - 1).</summary>
        public sealed class WindowStamp : ProcessFunction<Click, string>
        {
            public override void ProcessElement(Click value, Context context, ICollector<string> output) =>
                output.Collect($"window {value.User}: {value.Count} from {value.Time} @{context.Timestamp}");
        }

        [DataflowJob]
        public static partial class BoundedWindows
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks),
                        WatermarkStrategy.ForBoundedOutOfOrderness<Click>(TimeSpan.FromMilliseconds(50), static c => c.Time), "clicks")
                   .Map(static c => c with { User = c.User % 7, Count = 1 })
                   .KeyBy(static c => c.User)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Reduce(static (a, b) => new Click(a.User, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        /// <summary>A keyed function (fused after a timestamped hash edge) sees each record's timestamp.</summary>
        public sealed class KeyedStamp : KeyedProcessFunction<long, Click, string>
        {
            public override void ProcessElement(Click value, Context context, ICollector<string> output) =>
                output.Collect($"key {context.CurrentKey}: {value.Time}@{context.Timestamp}");
        }

        /// <summary>A parallel source with a strategy: one generator per source subtask; the window takes the minimum.</summary>
        [DataflowJob]
        public static partial class ParallelKeyed
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env)
            {
                env.FromSource(new SequenceSource(0, 2_999),
                        WatermarkStrategy.ForBoundedOutOfOrderness<long>(TimeSpan.FromMilliseconds(50), static i => i * 3 + i * 7919 % 40 - 20), "parallel")
                   .Map(static i => new Click(i * 7919 % 13, i * 3 + i * 7919 % 40 - 20, 1))
                   .KeyBy(static c => c.User)
                   .Process(new KeyedStamp())
                   .SinkTo(Results);
                env.FromSource(new SequenceSource(0, 2_999),
                        WatermarkStrategy.ForBoundedOutOfOrderness<long>(TimeSpan.FromMilliseconds(50), static i => i * 3 + i * 7919 % 40 - 20), "parallel windows")
                   .Map(static i => new Click(i * 7919 % 13 % 4, i * 3 + i * 7919 % 40 - 20, 1))
                   .KeyBy(static c => c.User)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Reduce(static (a, b) => new Click(a.User, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .Process(new WindowStamp())
                   .SinkTo(Results);
            }
        }

        [DataflowJob]
        public static partial class Punctuated
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks),
                        WatermarkStrategy.ForPunctuatedWatermarks<Click>(static (c, ts) => c.User == 0 ? ts - 50 : null).WithTimestampAssigner(static c => c.Time),
                        "punctuated")
                   .Filter(static c => c.User != 5)
                   .Process(new Stamp())
                   .SinkTo(Results);
        }

        /// <summary>Emits the first half of the clicks, then moves the job's manual clock past one auto-watermark interval (the
        /// task runs the periodic emission before it polls again), then the second half.</summary>
        public sealed class PausingSource : ISource<Click>
        {
            public static ManualTimeProvider Clock = new();

            public Boundedness Boundedness => Boundedness.Bounded;

            public int MaxParallelism => 1;

            public string Name => "pausing";

            public ISourceReader<Click> CreateReader(SourceReaderContext context) => new Reader();

            private sealed class Reader : ISourceReader<Click>
            {
                private int _next;
                private bool _paused;

                public ReadStatus PollNext(out Click record)
                {
                    record = default;
                    if (_next == Data.Clicks.Length)
                    {
                        return ReadStatus.EndOfInput;
                    }
                    if (_next == Data.Clicks.Length / 2 && !_paused)
                    {
                        _paused = true;
                        Clock.Advance(TimeSpan.FromMilliseconds(200));
                        return ReadStatus.NothingAvailable;
                    }
                    record = Data.Clicks[_next++];
                    return ReadStatus.Record;
                }

                public void Dispose()
                {
                }
            }
        }

        [DataflowJob]
        public static partial class Periodic
        {
            public static readonly CollectSink<string> Results = new();

            // A strategy from a field: the generator cannot see its assigner, so the fused loop asks the strategy.
            private static readonly WatermarkStrategy<Click> Strategy = WatermarkStrategy.ForBoundedOutOfOrderness<Click>(TimeSpan.FromMilliseconds(50), static c => c.Time);

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new PausingSource(), Strategy, "pausing")
                   .Map(static c => c with { Count = c.User * 2 })
                   .Process(new Stamp())
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class MidChain
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env)
            {
                // The source's own watermarks (a thousand times ahead) must not pass the assigner; its timestamps are replaced.
                env.FromSource(new CollectionSource<Click>(Data.Clicks),
                        WatermarkStrategy.ForPunctuatedWatermarks<Click>(static (c, ts) => ts).WithTimestampAssigner(static c => c.Time * 1000), "early")
                   .Map(static c => c with { Count = 2 })
                   .AssignTimestampsAndWatermarks(WatermarkStrategy.ForPunctuatedWatermarks<Click>(static (c, ts) => c.User == 1 ? ts - 60 : null)
                        .WithTimestampAssigner(static (c, previous) => c.Time + previous % 1000))
                   .Process(new Stamp())
                   .SinkTo(Results);
                env.FromCollection(Data.Clicks)
                   .Map(static c => c with { Count = 1 })
                   .AssignTimestampsAndWatermarks(WatermarkStrategy.ForBoundedOutOfOrderness<Click>(TimeSpan.FromMilliseconds(50), static c => c.Time))
                   .Filter(static c => c.User != 3)
                   .KeyBy(static c => c.User % 4)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(250)))
                   .Reduce(static (a, b) => new Click(a.User % 4, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .Process(new WindowStamp())
                   .SinkTo(Results);
            }
        }
        """;

    private static readonly Lazy<(System.Reflection.Assembly Assembly, string Generated)> Compiled =
        new(() => GeneratorHarness.CompileAndLoad("EventTimeJobs", Jobs));

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var job in new[] { "BoundedWindows", "Punctuated", "MidChain", "ParallelKeyed" })
        {
            data.Add(job, 1);
            data.Add(job, 3);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_event_time_job_gives_the_interpreted_records_timestamps_and_watermarks(string jobName, int parallelism)
    {
        var job = Compiled.Value.Assembly.GetType("Jobs.EventTime." + jobName, throwOnError: true)!;
        var (interpreted, _) = GeneratorHarness.Run(job, parallelism, FusionMode.Disabled);
        var (fused, log) = GeneratorHarness.Run(job, parallelism, FusionMode.Enabled);

        Assert.NotEmpty(interpreted);
        Assert.Equal(interpreted, fused);
        // Every chain of sources, maps, assigners, process functions and windows runs fused.
        Assert.All(log, line => Assert.Contains("runs fused", line));
        Assert.Contains(log, line => line.Contains("runs fused") && line.Contains("Source: "));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Periodic_watermarks_come_from_the_tasks_processing_time_as_interpreted(int parallelism)
    {
        var job = Compiled.Value.Assembly.GetType("Jobs.EventTime.Periodic", throwOnError: true)!;
        var clockField = Compiled.Value.Assembly.GetType("Jobs.EventTime.PausingSource", throwOnError: true)!.GetField("Clock")!;
        List<string> Run(FusionMode fusion)
        {
            var clock = new Time.ManualTimeProvider();
            clockField.SetValue(null, clock);
            var (results, log) = GeneratorHarness.Run(job, parallelism, fusion, clock);
            Assert.All(log, line => Assert.Contains(fusion == FusionMode.Enabled ? "runs fused" : "runs interpreted", line));
            return results;
        }
        var interpreted = Run(FusionMode.Disabled);
        var fused = Run(FusionMode.Enabled);

        Assert.Equal(interpreted, fused);
        // The second half is processed under the watermark of the first: its max timestamp - 50 - 1.
        long firstHalfMax = Enumerable.Range(0, 1_500).Max(i => i * 3L + i * 7919L % 40 - 20);
        Assert.Equal(1_500, fused.Count(line => line.EndsWith($" under {firstHalfMax - 51}", StringComparison.Ordinal)));
        Assert.Equal(1_500, fused.Count(line => line.EndsWith($" under {long.MinValue}", StringComparison.Ordinal)));
    }

    [Fact]
    public void Timestamps_and_watermarks_are_the_strategys()
    {
        var job = Compiled.Value.Assembly.GetType("Jobs.EventTime.Punctuated", throwOnError: true)!;
        var (fused, _) = GeneratorHarness.Run(job, 1, FusionMode.Enabled);
        // Record i has timestamp Time; the watermark it is processed under is the one the last user-0 record before it emitted.
        var expected = new List<string>();
        long watermark = long.MinValue;
        for (int i = 0; i < 3_000; i++)
        {
            long user = i * 7919L % 13, time = i * 3L + i * 7919L % 40 - 20;
            if (user != 5)
            {
                expected.Add($"{user}/{time}/0@{time} under {watermark}");
            }
            if (user == 0)
            {
                watermark = Math.Max(watermark, time - 50);
            }
        }
        Assert.Equal(expected.OrderBy(s => s, StringComparer.Ordinal), fused);
    }

    [Fact]
    public void A_window_after_a_fused_chain_fires_every_window_once()
    {
        var job = Compiled.Value.Assembly.GetType("Jobs.EventTime.BoundedWindows", throwOnError: true)!;
        var (fused, _) = GeneratorHarness.Run(job, 3, FusionMode.Enabled);
        var expected = Enumerable.Range(0, 3_000)
            .Select(i => (User: i * 7919L % 13 % 7, Time: i * 3L + i * 7919L % 40 - 20))
            .GroupBy(c => (c.User, Window: Math.Floor(c.Time / 100.0)))
            .Select(g => $"window {g.Key.User}: {g.Count()} from {g.Min(c => c.Time)} @{(long)g.Key.Window * 100 + 99}")
            .OrderBy(s => s, StringComparer.Ordinal);
        Assert.Equal(expected, fused);
    }

    [Fact]
    public void Generated_file_calls_inline_assigners_and_asks_other_strategies()
    {
        string generated = Compiled.Value.Generated;
        Assert.DoesNotContain("run interpreted", generated);
        // A strategy from a field is asked for each record's timestamp; inline assigner lambdas become static calls.
        Assert.Contains("timestamp = watermarks.ExtractTimestamp(record, long.MinValue);", generated);
        Assert.Contains("internal static long C1_Op0(global::Jobs.EventTime.Click c) => c.Time;", generated);
        Assert.Contains("timestamp = __DataflowFused.C1_Op0(record);", generated);
        Assert.Contains("timestamp = __DataflowFused.C1_Op2(value, previous);", generated);
        Assert.Contains("TimestampsAndWatermarks<Jobs.EventTime.Click→Jobs.EventTime.Click>", generated);
    }
}
