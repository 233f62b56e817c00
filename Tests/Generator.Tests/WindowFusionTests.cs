using DataflowCompiler.Fusion;

namespace DataflowCompiler.Generator.Tests;

/// <summary>
/// Keyed event-time windows fuse: <c>KeyBy(...).Window(tumbling or sliding).Aggregate/Reduce(...)</c> and the rest of its chain
/// run as one fused chain over the slice table, with the results, timestamps and late drops of the interpreted path; windows
/// with a trigger, lateness or an assigner the slice table cannot run stay interpreted and the log or the generated file says why.
/// </summary>
public sealed class WindowFusionTests
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

        namespace Jobs.Windows;

        public readonly record struct Click(long User, long Time, long Count);

        public readonly record struct Tally(long User, long Count, long First);

        public static class Data
        {
            // Out of order by up to 96 ms; the punctuated watermark trails the user-0 clicks by 5 ms, so some clicks are late.
            public static readonly Click[] Clicks = Enumerable.Range(0, 3_000)
                .Select(i => new Click(i * 7919L % 13, i * 3L + i * 7919L % 97 - 40, 1)).ToArray();

            public static readonly WatermarkStrategy<Click> Punctuated =
                WatermarkStrategy.ForPunctuatedWatermarks<Click>(static (c, ts) => c.User == 0 ? ts - 5 : null).WithTimestampAssigner(static c => c.Time);

            // An assigner the generator cannot see: sessions, which the slice table cannot run.
            public static readonly WindowAssigner<TimeWindow> Sessions = EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(10));
        }

        /// <summary>Counts the clicks of a window and remembers the earliest.</summary>
        public sealed class CountClicks : IAggregateFunction<Click, Tally, Click>
        {
            public Tally CreateAccumulator() => new(-1, 0, long.MaxValue);
            public Tally Add(Click value, Tally accumulator) => new(value.User, accumulator.Count + value.Count, Math.Min(accumulator.First, value.Time));
            public Click GetResult(Tally accumulator) => new(accumulator.User, accumulator.First, accumulator.Count);
            public Tally Merge(Tally a, Tally b) => new(Math.Max(a.User, b.User), a.Count + b.Count, Math.Min(a.First, b.First));
        }

        public sealed class SumClicks : IReduceFunction<Click>
        {
            public Click Reduce(Click a, Click b) => new(a.User, Math.Min(a.Time, b.Time), a.Count + b.Count);
        }

        /// <summary>A window result with the timestamp it carries (the window's end - 1).</summary>
        public sealed class WindowStamp : ProcessFunction<Click, string>
        {
            public override void ProcessElement(Click value, Context context, ICollector<string> output) =>
                output.Collect($"window {value.User}: {value.Count} from {value.Time} @{context.Timestamp} under {context.TimerService.CurrentWatermark}");
        }

        // The source has one subtask and feeds the windows directly, so every window subtask reads one ordered channel and the
        // late clicks are the same at every parallelism.
        [DataflowJob]
        public static partial class TumblingAggregate
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Aggregate(new CountClicks())
                   .Filter(static c => c.Count != 3)
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class SlidingReduce
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User % 5)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100)))
                   .Reduce(static (a, b) => new Click(a.User % 5, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class SlidingAggregateAndReduceObject
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env)
            {
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "sliding aggregate")
                   .KeyBy(static c => c.User)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(30)))
                   .Aggregate(new CountClicks())
                   .Map(static c => c with { User = c.User + 100 })
                   .Process(new WindowStamp())
                   .SinkTo(Results);
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "tumbling reduce")
                   .KeyBy(static c => c.User % 3)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(70)))
                   .Reduce(new SumClicks())
                   .Process(new WindowStamp())
                   .SinkTo(Results);
            }
        }

        /// <summary>A parallel source: every window subtask combines the watermarks of all source subtasks (no click is late).</summary>
        [DataflowJob]
        public static partial class ParallelSource
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new SequenceSource(0, 5_999),
                        WatermarkStrategy.ForBoundedOutOfOrderness<long>(TimeSpan.FromMilliseconds(50), static i => i * 3 + i * 7919 % 40 - 20), "parallel")
                   .Map(static i => new Click(i * 7919 % 13, i * 3 + i * 7919 % 40 - 20, 1))
                   .KeyBy(static c => c.User)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)))
                   .Reduce(Sum)
                   .Process(new WindowStamp())
                   .SinkTo(Results);

            private static Click Sum(Click a, Click b) => new(a.User, Math.Min(a.Time, b.Time), a.Count + b.Count);
        }

        /// <summary>What a keyed function after a second KeyBy sees of a window result: its value and timestamp.</summary>
        public sealed class KeyedStamp : KeyedProcessFunction<long, Click, string>
        {
            public override void ProcessElement(Click value, Context context, ICollector<string> output) =>
                output.Collect($"key {context.CurrentKey}: {value.User}/{value.Count}/{value.Time}@{context.Timestamp}");
        }

        /// <summary>The window chain ends in a KeyBy: its results cross a timestamped hash edge into a keyed function.</summary>
        [DataflowJob]
        public static partial class WindowThenKeyBy
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Reduce(static (a, b) => new Click(a.User, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .KeyBy(static c => c.Count % 3)
                   .Process(new KeyedStamp())
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class WithTrigger
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User % 4)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Trigger(CountTrigger<Click, TimeWindow>.Of(7))
                   .Reduce(static (a, b) => new Click(a.User % 4, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class WithLateness
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User % 4)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .AllowedLateness(TimeSpan.FromMilliseconds(20))
                   .Aggregate(new CountClicks())
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class WithLateDataOutput
        {
            public static readonly CollectSink<string> Results = new();
            public static readonly OutputTag<Click> Late = new("late");

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User % 4)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .SideOutputLateData(Late)
                   .Aggregate(new CountClicks())
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        /// <summary>All elements of a window: the size of each window's list.</summary>
        public sealed class CountElements : ProcessWindowFunction<Click, Click, long, TimeWindow>
        {
            public override void Process(long key, Context context, System.Collections.Generic.IEnumerable<Click> elements, ICollector<Click> output) =>
                output.Collect(new Click(key, elements.Min(c => c.Time), elements.Count()));
        }

        [DataflowJob]
        public static partial class WithProcessWindowFunction
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User % 4)
                   .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                   .Process(new CountElements())
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }

        /// <summary>The generator fuses this window (its assigner is a runtime object); the runtime refuses it: sessions.</summary>
        [DataflowJob]
        public static partial class RuntimeSessions
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new CollectionSource<Click>(Data.Clicks), Data.Punctuated, "clicks")
                   .KeyBy(static c => c.User % 4)
                   .Window(Data.Sessions)
                   .Reduce(static (a, b) => new Click(a.User, Math.Min(a.Time, b.Time), a.Count + b.Count))
                   .Process(new WindowStamp())
                   .SinkTo(Results);
        }
        """;

    private static readonly Lazy<(System.Reflection.Assembly Assembly, string Generated)> Compiled =
        new(() => GeneratorHarness.CompileAndLoad("WindowJobs", Jobs));

    public static TheoryData<string, int> FusedCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var job in new[] { "TumblingAggregate", "SlidingReduce", "SlidingAggregateAndReduceObject", "ParallelSource", "WindowThenKeyBy" })
        {
            data.Add(job, 1);
            data.Add(job, 3);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void Fused_window_gives_the_interpreted_results_timestamps_and_late_drops(string jobName, int parallelism)
    {
        var (interpreted, interpretedLate, _) = Run(jobName, parallelism, FusionMode.Disabled);
        var (fused, fusedLate, log) = Run(jobName, parallelism, FusionMode.Enabled);

        Assert.NotEmpty(interpreted);
        Assert.Equal(interpreted, fused);
        Assert.Equal(interpretedLate, fusedLate);
        // Every chain runs fused, the window chains too.
        Assert.All(log, line => Assert.Contains("runs fused", line));
        Assert.Contains(log, line => line.StartsWith("Chain 'Window", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Late_clicks_are_dropped_and_counted_and_each_window_fires_once(int parallelism)
    {
        var (fused, late, _) = Run("TumblingAggregate", parallelism, FusionMode.Enabled);

        // The watermark each click sees: the highest user-0 timestamp before it, minus 5.
        long watermark = long.MinValue;
        long dropped = 0;
        var kept = new List<(long User, long Time)>();
        for (int i = 0; i < 3_000; i++)
        {
            long user = i * 7919L % 13, time = i * 3L + i * 7919L % 97 - 40;
            long end = (long)Math.Floor(time / 100.0) * 100 + 99;
            if (end <= watermark)
            {
                dropped++;
            }
            else
            {
                kept.Add((user, time));
            }
            if (user == 0)
            {
                watermark = Math.Max(watermark, time - 5);
            }
        }
        var expected = kept.GroupBy(c => (c.User, Window: (long)Math.Floor(c.Time / 100.0)))
            .Where(g => g.Count() != 3)
            .Select(g => $"window {g.Key.User}: {g.Count()} from {g.Min(c => c.Time)} @{g.Key.Window * 100 + 99}")
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToList();

        Assert.True(dropped > 0);
        Assert.Equal(dropped, late);
        Assert.Equal(expected, fused.Select(line => line[..line.IndexOf(" under ", StringComparison.Ordinal)]).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("WithTrigger", "'Window' and what follows run interpreted: the window has a trigger of its own")]
    [InlineData("WithLateness", "'Window' and what follows run interpreted: the window has allowed lateness")]
    [InlineData("WithLateDataOutput", "'Window' and what follows run interpreted: the window sends late data to a side output")]
    [InlineData("WithProcessWindowFunction", "'Window' and what follows run interpreted: a process window function needs all elements")]
    public void Windows_with_a_trigger_lateness_side_output_or_process_function_stay_interpreted_and_the_generated_file_says_why(string jobName, string note)
    {
        Assert.Contains(note, Compiled.Value.Generated);
        var (interpreted, interpretedLate, _) = Run(jobName, 3, FusionMode.Disabled);
        var (fused, fusedLate, log) = Run(jobName, 3, FusionMode.Enabled);

        Assert.NotEmpty(interpreted);
        Assert.Equal(interpreted, fused);
        Assert.Equal(interpretedLate, fusedLate);
        Assert.Contains(log, line => line.StartsWith("Chain 'Window", StringComparison.Ordinal)
            && line.Contains("runs interpreted: operator 'Window' is a window, which the fusion generator does not compile", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains("runs fused", StringComparison.Ordinal) && line.Contains("Source: clicks", StringComparison.Ordinal));
    }

    [Fact]
    public void A_window_the_slice_table_cannot_run_is_refused_at_run_time_with_the_reason()
    {
        Assert.DoesNotContain("RuntimeSessions: fused up to", Compiled.Value.Generated);
        var (interpreted, _, _) = Run("RuntimeSessions", 2, FusionMode.Disabled);
        var (fused, _, log) = Run("RuntimeSessions", 2, FusionMode.Enabled);

        Assert.NotEmpty(interpreted);
        Assert.Equal(interpreted, fused);
        Assert.Contains(log, line => line.StartsWith("Chain 'Window", StringComparison.Ordinal)
            && line.Contains("runs interpreted: the window operator 'Window' cannot run fused: its assigner EventTimeSessionWindows", StringComparison.Ordinal));
    }

    [Fact]
    public void Generated_window_chain_calls_the_users_functions_directly()
    {
        string generated = Compiled.Value.Generated;
        Assert.Contains("Window<Jobs.Windows.Click→Jobs.Windows.Click> -> Filter<Jobs.Windows.Click→Jobs.Windows.Click> -> Process<", generated);
        // The head loop computes a batch of keys with the static selector and prefetches their index slots, then adds.
        Assert.Contains("keys[n] = __DataflowFused.C", generated);
        Assert.Contains("table.Prefetch(keys[n]);", generated);
        Assert.Contains("_window0.Add(key, value, RecordTimestamp);", generated);
        Assert.Contains("public global::Jobs.Windows.Tally Add(global::Jobs.Windows.Tally accumulator, global::Jobs.Windows.Click value) => fn.Add(value, accumulator);", generated);
        Assert.Contains("var result = _fn0!.GetResult(accumulator);", generated);
        Assert.Contains("public global::Jobs.Windows.Click Merge(global::Jobs.Windows.Click earlier, global::Jobs.Windows.Click later) => global::Jobs.Windows.ParallelSource.Sum(earlier, later);", generated);
    }

    private static (List<string> Results, long Late, List<string> Log) Run(string jobName, int parallelism, FusionMode fusion)
    {
        var job = Compiled.Value.Assembly.GetType("Jobs.Windows." + jobName, throwOnError: true)!;
        var log = new List<string>();
        var sink = job.GetField("Results")!.GetValue(null)!;
        sink.GetType().GetMethod("Clear")!.Invoke(sink, null);
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration
        {
            Parallelism = parallelism,
            Fusion = fusion,
            FusionLog = line => { lock (log) { log.Add(line); } },
        });
        job.GetMethod("Define")!.Invoke(null, new object[] { env });
        var result = env.Execute(jobName);
        var results = ((System.Collections.IEnumerable)sink.GetType().GetProperty("Results")!.GetValue(sink)!).Cast<object>()
            .Select(r => r.ToString()!).OrderBy(s => s, StringComparer.Ordinal).ToList();
        return (results, result.GetAccumulatorResult("Window.numLateRecordsDropped"), log);
    }
}
