namespace DataflowCompiler.Benchmarks;

/// <summary>The keyed job of <see cref="FusionBenchmarks"/>: source → map → KeyBy → Sum over 100 000 keys → sink.</summary>
[DataflowJob]
public static partial class KeyedSumJob
{
    public const long Events = 2_000_000;
    public const long Keys = 100_000;

    public static readonly CountingSink<(long Key, long Value)> Sink = new();

    public static void Define(StreamEnvironment env) =>
        env.FromSequence(0, Events - 1)
           .Map(static i => (Key: i % Keys, Value: i & 15))
           .KeyBy(static t => t.Key)
           .Sum(t => t.Value)
           .SinkTo(Sink);
}
