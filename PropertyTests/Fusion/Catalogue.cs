using DataflowCompiler.Sinks;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.PropertyTests.Fusion;

/// <summary>Static helpers used as method groups by the catalogue pipelines.</summary>
public static class Helpers
{
    public static long Scale(long x) => x * PipelineInput.A + PipelineInput.B;

    public static long Mod(long x) => ((x % PipelineInput.M) + PipelineInput.M) % PipelineInput.M;
}

// Rolling aggregations emit one result per record, so their output depends on the order of a key's records. Every
// operator before a KeyBy runs at parallelism 1 so that order is the same on both paths (one producer per channel);
// the keyed operators and everything after them run at the property's parallelism 1-4.

[DataflowJob]
public static partial class ProcessFlatMapFilter
{
    public static readonly CollectSink<string> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .Process(new Residue())
           .FlatMap(static t => new[] { t.Key, t.Value, t.Key * t.Value })
           .Filter(static x => x % PipelineInput.M != 1)
           .Map(static x => $"v{x}")
           .SinkTo(Results);
}

[DataflowJob]
public static partial class MapFilterMap
{
    public static readonly CollectSink<long> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .Map(static x => x * PipelineInput.A)
           .Filter(x => x % PipelineInput.M != 0)
           .Map(Helpers.Scale)
           .SinkTo(Results);
}

[DataflowJob]
public static partial class FlatMapKeyByReduce
{
    public static readonly CollectSink<long> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .FlatMap((long x, Functions.ICollector<long> output) =>
           {
               for (long i = 0; i < (x & 3); i++)
               {
                   output.Collect(x + i * PipelineInput.B);
               }
           })
           .SetParallelism(1)
           .KeyBy(Helpers.Mod)
           .Reduce(static (a, b) => a * 31 + b)
           .SinkTo(Results);
}

[DataflowJob]
public static partial class FilterKeyBySumMap
{
    public static readonly CollectSink<(long Key, long Total)> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .Filter(new Above())
           .SetParallelism(1)
           .Map(static x => (Key: Helpers.Mod(x), Total: x))
           .SetParallelism(1)
           .KeyBy(static t => t.Key)
           .Sum(t => t.Total)
           .Map(static t => (t.Key, t.Total * PipelineInput.A))
           .SinkTo(Results);
}

[DataflowJob]
public static partial class ProcessKeyedProcess
{
    public static readonly CollectSink<string> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .Process(new Residue())
           .SetParallelism(1)
           .KeyBy(static t => t.Key)
           .Process(new CountPerKey())
           .Filter(static s => s.Length % 3 != 0)
           .SinkTo(Results);
}

[DataflowJob]
public static partial class TwoShuffles
{
    public static readonly CollectSink<(long Key, long Value)> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .KeyBy(static x => x % 7)
           .Reduce(static (a, b) => a + b)
           .SetParallelism(1)
           .FlatMap((long x, Functions.ICollector<(long Key, long Value)> output) => output.Collect((Helpers.Mod(x), x)))
           .SetParallelism(1)
           .KeyBy(static t => t.Key)
           .Max(t => t.Value)
           .SinkTo(Results);
}

[DataflowJob]
public static partial class MinPerKey
{
    public static readonly CollectSink<long> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromCollection(PipelineInput.Records)
           .Map(static x => x - PipelineInput.B)
           .SetParallelism(1)
           .KeyBy(static x => x % 5)
           .Min(x => x)
           .SinkTo(Results);
}

// Keyed event-time windows: one ordered source subtask feeds the windows, so each window subtask sees the same records
// and watermarks in the same order on both paths (random timestamps make many records late; both paths drop the same).

[DataflowJob]
public static partial class TumblingWindowAggregate
{
    public static readonly CollectSink<string> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromSource(new CollectionSource<long>(PipelineInput.Records), Watermarks.Punctuated(), "records")
           .KeyBy(static x => Helpers.Mod(x))
           .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(PipelineInput.A * 37)))
           .Aggregate(new CountAndMin())
           .Filter(static t => t.Count != PipelineInput.A)
           .Map(static t => $"{t.Key}:{t.Count}:{t.Min}")
           .SinkTo(Results);
}

[DataflowJob]
public static partial class SlidingWindowReduce
{
    public static readonly CollectSink<long> Results = new();

    public static void Define(StreamEnvironment env) =>
        env.FromSource(new CollectionSource<long>(PipelineInput.Records), Watermarks.Punctuated(), "records")
           .KeyBy(static x => x % 5)
           .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(PipelineInput.M * 20), TimeSpan.FromMilliseconds(PipelineInput.M * 5)))
           .Reduce(static (a, b) => a * 31 + b)
           .SinkTo(Results);
}

/// <summary>Timestamps are the records' values (random order); a watermark 100 ms behind every multiple of M.</summary>
public static class Watermarks
{
    public static WatermarkStrategy<long> Punctuated() =>
        WatermarkStrategy.ForPunctuatedWatermarks<long>(static (x, ts) => x % PipelineInput.M == 0 ? ts - 100 : null).WithTimestampAssigner(static x => x);
}
