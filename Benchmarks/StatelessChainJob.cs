namespace DataflowCompiler.Benchmarks;

/// <summary>The five-operator stateless chain of <see cref="FusionBenchmarks"/>: source → map → filter → map → sink.</summary>
[DataflowJob]
public static partial class StatelessChainJob
{
    public const long Events = 20_000_000;

    public static readonly CountingSink<Tick> Sink = new();

    public static void Define(StreamEnvironment env) =>
        env.FromSequence(0, Events - 1)
           .Map(static i => new Tick(i, i * 31))
           .Filter(static t => (t.Value & 7) != 0)
           .Map(static t => t with { Value = t.Value + t.Id })
           .SinkTo(Sink);
}
