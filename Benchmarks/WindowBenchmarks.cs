using BenchmarkDotNet.Attributes;
using DataflowCompiler.Functions;
using DataflowCompiler.Fusion;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// Keyed event-time windows in one job at parallelism 1: a generator source (timestamps rise 1 ms per 100 events, a
/// punctuated watermark every 100 events), a key-group edge to the window task, and a counting sink. 100 000 keys;
/// each window counts its events with an aggregate function. The baseline is the same job with a rolling keyed
/// reduce in place of the window (keyed state read and written per event, no timers). One operation = one event,
/// including job start-up and shutdown. The tumbling and sliding windows also run as [DataflowJob] classes
/// (<see cref="TumblingWindowJob"/>, <see cref="SlidingWindowJob"/>: the same job), fused and interpreted.
/// </summary>
[MemoryDiagnoser]
public class WindowBenchmarks
{
    private const int Events = 4_000_000;
    private const int Keys = 100_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long RollingKeyedReduce() =>
        Run(source => source.KeyBy(Key).Reduce((a, b) => new Tick(a.Id, a.Value + 1)).Map(t => t.Value));

    [Benchmark(OperationsPerInvoke = Events)]
    public long TumblingWindow1s() =>
        Run(source => source.KeyBy(Key).Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1))).Aggregate(new CountAggregate()));

    [Benchmark(OperationsPerInvoke = Events)]
    public long SlidingWindow10sEvery2s() =>
        Run(source => source.KeyBy(Key).Window(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2))).Aggregate(new CountAggregate()));

    [Benchmark(OperationsPerInvoke = Events)]
    public long SessionWindowGap1500ms() =>
        // Each key recurs every 1 000 ms of event time, so with a 1.5 s gap every event merges into its key's session.
        Run(source => source.KeyBy(Key).Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(1500))).Aggregate(new CountAggregate()));

    [Benchmark(OperationsPerInvoke = Events)]
    public long TumblingWindow1s_Fused() => RunJob(TumblingWindowJob.Define, TumblingWindowJob.Sink, FusionMode.Enabled);

    [Benchmark(OperationsPerInvoke = Events)]
    public long TumblingWindow1s_Interpreted() => RunJob(TumblingWindowJob.Define, TumblingWindowJob.Sink, FusionMode.Disabled);

    [Benchmark(OperationsPerInvoke = Events)]
    public long SlidingWindow10sEvery2s_Fused() => RunJob(SlidingWindowJob.Define, SlidingWindowJob.Sink, FusionMode.Enabled);

    [Benchmark(OperationsPerInvoke = Events)]
    public long SlidingWindow10sEvery2s_Interpreted() => RunJob(SlidingWindowJob.Define, SlidingWindowJob.Sink, FusionMode.Disabled);

    private static long RunJob(Action<StreamEnvironment> define, CountingSink<long> sink, FusionMode fusion)
    {
        long before = sink.Count;
        var log = new List<string>();
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = 1, Fusion = fusion, FusionLog = log.Add });
        define(env);
        env.Execute("window benchmark");
        // Measure what the name says: the window chain must have run fused (or interpreted).
        if (fusion == FusionMode.Enabled && !log.Any(line => line.StartsWith("Chain 'Window", StringComparison.Ordinal) && line.Contains("runs fused", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("The window chain did not run fused: " + string.Join(" | ", log));
        }
        long count = sink.Count - before;
        if (count == 0)
        {
            throw new InvalidOperationException("The window job emitted nothing.");
        }
        return count;
    }

    private static long Key(Tick tick) => tick.Id * 7919 % Keys;

    private static long Run(Func<DataStream<Tick>, DataStream<long>> pipeline)
    {
        var env = StreamEnvironment.CreateLocal(1);
        var strategy = WatermarkStrategy.ForPunctuatedWatermarks<Tick>((tick, ts) => tick.Id % 100 == 99 ? ts - 1 : null)
            .WithTimestampAssigner(tick => tick.Value);
        var source = env.FromSource(new GeneratorSource<Tick>(i => new Tick(i, i / 100), Events), strategy, "ticks");
        var sink = new CountingSink<long>();
        pipeline(source).SinkTo(sink);
        env.Execute("window benchmark");
        if (sink.Count == 0)
        {
            throw new InvalidOperationException("The window job emitted nothing.");
        }
        return sink.Count;
    }

    private sealed class CountAggregate : IAggregateFunction<Tick, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(Tick value, long accumulator) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }
}
