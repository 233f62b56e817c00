using System.Reflection;
using DataflowCompiler.Fusion;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.PropertyTests.Fusion;

/// <summary>
/// Fused ≡ interpreted: random catalogue pipelines (map, filter, flatMap, keyBy, reduce, sum, min, max, process,
/// keyed process, tumbling and sliding event-time windows) over random inputs and constants at parallelism 1–4 give the
/// same records on both paths, and the fused run really ran every chain fused. A failure prints the scenario (FsCheck
/// prints its replay seed too); every random input derives from <see cref="Scenario.Seed"/>, so <c>Run(scenario)</c>
/// replays it.
/// </summary>
public sealed class FusedEqualsInterpretedProperties
{
    private static readonly Type[] Pipelines =
    [
        typeof(MapFilterMap), typeof(FlatMapKeyByReduce), typeof(FilterKeyBySumMap), typeof(ProcessKeyedProcess), typeof(TwoShuffles), typeof(MinPerKey), typeof(ProcessFlatMapFilter),
        typeof(TumblingWindowAggregate), typeof(SlidingWindowReduce),
    ];

    // Records of the last run, so the fixed cases can check that a pipeline gives any (equal empty outputs prove little).
    private static int _lastCount;

    private static readonly int MaxTest = int.TryParse(Environment.GetEnvironmentVariable("FUSION_PROPERTY_CASES"), out int n) ? n : 60;

    public sealed record Scenario(int Pipeline, int Parallelism, int Length, long A, long B, long M, int Seed);

    private static readonly Gen<Scenario> Scenarios =
        from pipeline in Gen.Choose(0, Pipelines.Length - 1)
        from parallelism in Gen.Choose(1, 4)
        from length in Gen.Choose(0, 300)
        from a in Gen.Choose(1, 9)
        from b in Gen.Choose(-5, 20)
        from m in Gen.Choose(2, 13)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Scenario(pipeline, parallelism, length, a, b, m, seed);

    [Fact]
    public void Fused_and_interpreted_pipelines_give_the_same_records() =>
        Prop.ForAll(Scenarios.ToArbitrary(), Run).Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTest));

    [Fact]
    public void Every_catalogue_pipeline_runs_fused_at_every_parallelism()
    {
        for (int pipeline = 0; pipeline < Pipelines.Length; pipeline++)
        {
            for (int parallelism = 1; parallelism <= 4; parallelism++)
            {
                Assert.True(Run(new Scenario(pipeline, parallelism, 200, 3, 4, 7, 42 + pipeline)));
                Assert.True(_lastCount > 0, $"{Pipelines[pipeline].Name} at parallelism {parallelism} gave no records");
            }
        }
    }

    private static bool Run(Scenario s)
    {
        var random = new Random(s.Seed);
        PipelineInput.Records = Enumerable.Range(0, s.Length).Select(_ => (long)random.Next(-1000, 1000)).ToArray();
        PipelineInput.A = s.A;
        PipelineInput.B = s.B;
        PipelineInput.M = s.M;
        var job = Pipelines[s.Pipeline];
        var (interpreted, _) = Execute(job, s.Parallelism, FusionMode.Disabled);
        var (fused, log) = Execute(job, s.Parallelism, FusionMode.Enabled);
        Assert.True(log.Count > 0 && log.All(l => l.Contains("runs fused", StringComparison.Ordinal)), $"{s}: {string.Join("\n", log)}");
        Assert.True(interpreted.SequenceEqual(fused), $"{s}: interpreted [{string.Join(", ", interpreted)}] but fused [{string.Join(", ", fused)}]");
        _lastCount = fused.Count;
        return true;
    }

    private static (List<string> Records, List<string> Log) Execute(Type job, int parallelism, FusionMode fusion)
    {
        var log = new List<string>();
        var sink = job.GetField("Results")!.GetValue(null)!;
        sink.GetType().GetMethod("Clear")!.Invoke(sink, null);
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = parallelism, Fusion = fusion, FusionLog = line => { lock (log) { log.Add(line); } } });
        job.GetMethod("Define", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [env]);
        env.Execute(job.Name);
        var records = ((System.Collections.IEnumerable)sink.GetType().GetProperty("Results")!.GetValue(sink)!).Cast<object>()
            .Select(r => r.ToString()!).Order(StringComparer.Ordinal).ToList();
        return (records, log);
    }
}
