using DataflowCompiler.Sources;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// The sliding 10 s windows every 2 s of <see cref="WindowBenchmarks"/> as a [DataflowJob], so its window chain fuses: generator source (timestamps
/// rise 1 ms per 100 events, a punctuated watermark every 100 events), KeyBy over 100 000 keys, a count per window, sink.
/// </summary>
[DataflowJob]
public static partial class SlidingWindowJob
{
    public const long Events = 4_000_000;
    public const long Keys = 100_000;

    public static readonly CountingSink<long> Sink = new();

    public static void Define(StreamEnvironment env) =>
        env.FromSource(new GeneratorSource<Tick>(static i => new Tick(i, i / 100), Events),
                WatermarkStrategy.ForPunctuatedWatermarks<Tick>(static (tick, ts) => tick.Id % 100 == 99 ? ts - 1 : null).WithTimestampAssigner(static tick => tick.Value),
                "ticks")
           .KeyBy(static tick => tick.Id * 7919 % Keys)
           .Window(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)))
           .Aggregate(new CountTicks())
           .SinkTo(Sink);
}
