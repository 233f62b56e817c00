using DataflowCompiler.Checkpointing;
using DataflowCompiler.Fusion;

namespace DataflowCompiler.Generator.Tests;

/// <summary>
/// The fused window keeps its slice table under the window operator's id in the interpreted slice-table operator's format:
/// a savepoint taken while windows are open on one path restores on the other (also at another parallelism), and the
/// two runs together give the windows of one uninterrupted run.
/// </summary>
public sealed class WindowCheckpointInterchangeTests
{
    private const string Jobs = """
        using System;
        using System.Linq;
        using System.Threading;
        using DataflowCompiler;
        using DataflowCompiler.Functions;
        using DataflowCompiler.Sinks;
        using DataflowCompiler.Sources;
        using DataflowCompiler.Time;
        using DataflowCompiler.Windowing;

        namespace Jobs.WindowInterchange;

        public readonly record struct Click(long User, long Time, long Count);

        public readonly record struct Tally(long User, long Count, long First);

        public static class Data
        {
            public const int Half = 1_500;

            // Out of order by up to 96 ms behind a watermark 5 ms behind the user-0 clicks: some clicks are late.
            public static readonly Click[] Clicks = Enumerable.Range(0, 3_000)
                .Select(i => new Click(i * 7919L % 13, i * 3L + i * 7919L % 97 - 40, 1)).ToArray();

            public static long Emitted;
        }

        /// <summary>Clicks [from, to); unbounded ones then wait for good (the job is held with windows open until it is cancelled).</summary>
        public sealed class Clicks(int from, int to, bool holdAtEnd) : ISource<Click>
        {
            public Boundedness Boundedness => holdAtEnd ? Boundedness.ContinuousUnbounded : Boundedness.Bounded;

            public int MaxParallelism => 1;

            public string Name => "clicks";

            public ISourceReader<Click> CreateReader(SourceReaderContext context) => new Reader(from, to, holdAtEnd);

            private sealed class Reader(int from, int to, bool holdAtEnd) : ISourceReader<Click>
            {
                private int _next = from;

                public ReadStatus PollNext(out Click record)
                {
                    record = default;
                    if (_next == to)
                    {
                        return holdAtEnd ? ReadStatus.NothingAvailable : ReadStatus.EndOfInput;
                    }
                    record = Data.Clicks[_next++];
                    Interlocked.Increment(ref Data.Emitted);
                    return ReadStatus.Record;
                }

                public void Dispose()
                {
                }
            }
        }

        public sealed class CountClicks : IAggregateFunction<Click, Tally, string>
        {
            public Tally CreateAccumulator() => new(-1, 0, long.MaxValue);
            public Tally Add(Click value, Tally accumulator) => new(value.User, accumulator.Count + value.Count, Math.Min(accumulator.First, value.Time));
            public string GetResult(Tally accumulator) => $"{accumulator.User}: {accumulator.Count} from {accumulator.First}";
            public Tally Merge(Tally a, Tally b) => new(Math.Max(a.User, b.User), a.Count + b.Count, Math.Min(a.First, b.First));
        }

        public static class Watermarks
        {
            public static WatermarkStrategy<Click> Punctuated() =>
                WatermarkStrategy.ForPunctuatedWatermarks<Click>(static (c, ts) => c.User == 0 ? ts - 5 : null).WithTimestampAssigner(static c => c.Time);
        }

        // The three jobs differ only in their source (and its uid); the window has the same uid in all of them.
        [DataflowJob]
        public static partial class FirstHalf
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new Clicks(0, Data.Half, holdAtEnd: true), Watermarks.Punctuated(), "first").Uid("first")
                   .KeyBy(static c => c.User)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100)))
                   .Aggregate(new CountClicks()).Uid("window")
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class SecondHalf
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new Clicks(Data.Half, Data.Clicks.Length, holdAtEnd: false), Watermarks.Punctuated(), "second").Uid("second")
                   .KeyBy(static c => c.User)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100)))
                   .Aggregate(new CountClicks()).Uid("window")
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class Whole
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSource(new Clicks(0, Data.Clicks.Length, holdAtEnd: false), Watermarks.Punctuated(), "whole").Uid("whole")
                   .KeyBy(static c => c.User)
                   .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100)))
                   .Aggregate(new CountClicks()).Uid("window")
                   .SinkTo(Results);
        }
        """;

    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(2);

    private static readonly Lazy<System.Reflection.Assembly> Assembly = new(() => GeneratorHarness.CompileAndLoad("WindowInterchangeJobs", Jobs).Assembly);

    [Theory]
    [InlineData(FusionMode.Enabled, FusionMode.Disabled, 1, 3)]
    [InlineData(FusionMode.Disabled, FusionMode.Enabled, 3, 1)]
    [InlineData(FusionMode.Enabled, FusionMode.Enabled, 2, 2)]
    public async Task A_savepoint_with_open_windows_restores_on_the_other_execution_path(FusionMode first, FusionMode second, int before, int after)
    {
        string directory = Path.Combine(Path.GetTempPath(), "dfc-window-interchange-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (whole, _) = await Run("Whole", FusionMode.Disabled, 2, directory, restore: null, hold: false);
            var (firstResults, savepoint) = await Run("FirstHalf", first, before, directory, restore: null, hold: true);
            var (secondResults, _) = await Run("SecondHalf", second, after, directory,
                new SavepointRestoreSettings(savepoint!, AllowNonRestoredState: true), hold: false);

            // The first run fired some windows before the savepoint and held others open in it; the second fires those.
            Assert.NotEmpty(firstResults);
            Assert.NotEmpty(secondResults);
            Assert.Equal(whole, firstResults.Concat(secondResults).OrderBy(s => s, StringComparer.Ordinal));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<(List<string> Results, string? Savepoint)> Run(
        string jobName, FusionMode fusion, int parallelism, string directory, SavepointRestoreSettings? restore, bool hold)
    {
        var job = Assembly.Value.GetType("Jobs.WindowInterchange." + jobName, throwOnError: true)!;
        var data = Assembly.Value.GetType("Jobs.WindowInterchange.Data", throwOnError: true)!;
        var sink = job.GetField("Results")!.GetValue(null)!;
        sink.GetType().GetMethod("Clear")!.Invoke(sink, null);
        data.GetField("Emitted")!.SetValue(null, 0L);
        var log = new List<string>();
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration
        {
            Parallelism = parallelism,
            Fusion = fusion,
            FusionLog = line => { lock (log) { log.Add(line); } },
            SavepointRestore = restore,
        });
        env.EnableCheckpointing(TimeSpan.FromHours(1));
        env.Configuration.Checkpointing.Directory = Path.Combine(directory, "checkpoints");
        job.GetMethod("Define")!.Invoke(null, new object[] { env });
        var client = env.ExecuteAsync(jobName);
        string? savepoint = null;
        if (hold)
        {
            long half = (int)data.GetField("Half")!.GetRawConstantValue()!;
            var deadline = DateTime.UtcNow + Hang;
            while ((long)data.GetField("Emitted")!.GetValue(null)! < half)
            {
                Assert.True(DateTime.UtcNow < deadline && !client.Completion.IsCompleted, "the first half was not emitted");
                await Task.Delay(5);
            }
            // The barrier follows every emitted click, so the savepoint holds them all; no watermark comes after them.
            savepoint = await client.TriggerSavepointAsync(Path.Combine(directory, "savepoints")).WaitAsync(Hang);
            await client.CancelAsync().WaitAsync(Hang);
        }
        else
        {
            await client.Completion.WaitAsync(Hang);
        }
        Assert.Contains(log, line => line.StartsWith("Chain 'Window", StringComparison.Ordinal)
            && line.Contains(fusion == FusionMode.Enabled ? "runs fused" : "runs interpreted", StringComparison.Ordinal));
        var results = ((System.Collections.IEnumerable)sink.GetType().GetProperty("Results")!.GetValue(sink)!).Cast<object>()
            .Select(r => r.ToString()!).OrderBy(s => s, StringComparer.Ordinal).ToList();
        return (results, savepoint);
    }
}
