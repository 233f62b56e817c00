using DataflowCompiler.Checkpointing;
using DataflowCompiler.Fusion;

namespace DataflowCompiler.Generator.Tests;

/// <summary>
/// The keyed state of a fused rolling sum (a flat state: long keys) and of the interpreted one (binary state) are the
/// same in checkpoints: a job restored from the other path's final checkpoint goes on from the sums it left.
/// </summary>
public sealed class StateInterchangeTests
{
    private const string Jobs = """
        using DataflowCompiler;
        using DataflowCompiler.Sinks;

        namespace Jobs.Interchange;

        // Same operators, same uid for the sum; the sources differ in uid (and range) so the second job reads its own
        // input from the start while its sum is restored.
        [DataflowJob]
        public static partial class FirstHalf
        {
            public static readonly CollectSink<(long Key, long Sum)> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 2_000).SetParallelism(1).Uid("first-source")
                   .Map(static x => (Key: x % 37, Sum: x)).SetParallelism(1) // one ordered producer: running sums are deterministic
                   .KeyBy(static t => t.Key)
                   .Sum(t => t.Sum).Uid("sum")
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class SecondHalf
        {
            public static readonly CollectSink<(long Key, long Sum)> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(2_001, 4_000).SetParallelism(1).Uid("second-source")
                   .Map(static x => (Key: x % 37, Sum: x)).SetParallelism(1) // one ordered producer: running sums are deterministic
                   .KeyBy(static t => t.Key)
                   .Sum(t => t.Sum).Uid("sum")
                   .SinkTo(Results);
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> Assembly = new(() =>
    {
        var (assembly, generated) = GeneratorHarness.CompileAndLoad("InterchangeJobs", Jobs);
        Assert.Contains("FlatValueState<long, (long Key, long Sum)>.TryCreate(", generated);
        return assembly;
    });

    [Theory]
    [InlineData(FusionMode.Enabled, FusionMode.Disabled, 1, 1)]
    [InlineData(FusionMode.Disabled, FusionMode.Enabled, 1, 1)]
    [InlineData(FusionMode.Enabled, FusionMode.Disabled, 2, 3)]
    [InlineData(FusionMode.Disabled, FusionMode.Enabled, 3, 2)]
    public void A_rolling_sum_restores_from_the_final_checkpoint_of_the_other_execution_path(FusionMode first, FusionMode second, int before, int after)
    {
        string directory = Path.Combine(Path.GetTempPath(), "dfc-interchange-" + Guid.NewGuid().ToString("N"));
        try
        {
            Run("Jobs.Interchange.FirstHalf", first, before, Path.Combine(directory, "first"), restore: null);
            string checkpoint = Directory.GetDirectories(Path.Combine(directory, "first"), "chk-*", SearchOption.AllDirectories)
                .Where(d => File.Exists(Path.Combine(d, "_metadata")))
                .OrderBy(d => long.Parse(Path.GetFileName(d)["chk-".Length..], System.Globalization.CultureInfo.InvariantCulture))
                .Last();
            var results = Run("Jobs.Interchange.SecondHalf", second, after, Path.Combine(directory, "second"),
                new SavepointRestoreSettings(checkpoint, AllowNonRestoredState: true));

            // Per key, the running sums of the second half start from the first half's total.
            var sums = Enumerable.Range(1, 2_000).GroupBy(x => x % 37L).ToDictionary(g => g.Key, g => g.Sum(x => (long)x));
            var expected = new List<string>();
            for (long x = 2_001; x <= 4_000; x++)
            {
                sums[x % 37] += x;
                expected.Add((x % 37, sums[x % 37]).ToString());
            }
            expected.Sort(StringComparer.Ordinal);
            Assert.Equal(expected, results);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static List<string> Run(string jobName, FusionMode fusion, int parallelism, string checkpoints, SavepointRestoreSettings? restore)
    {
        var job = Assembly.Value.GetType(jobName, throwOnError: true)!;
        var sink = job.GetField("Results")!.GetValue(null)!;
        sink.GetType().GetMethod("Clear")!.Invoke(sink, null);
        var log = new List<string>();
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration
        {
            Parallelism = parallelism,
            Fusion = fusion,
            FusionLog = line => { lock (log) { log.Add(line); } },
            SavepointRestore = restore,
        });
        env.EnableCheckpointing(TimeSpan.FromHours(1)); // only the final checkpoint
        env.Configuration.Checkpointing.Directory = checkpoints;
        job.GetMethod("Define")!.Invoke(null, new object[] { env });
        env.Execute(job.Name);
        Assert.NotEmpty(log);
        Assert.All(log, line => Assert.Contains(fusion == FusionMode.Enabled ? "runs fused" : "runs interpreted", line));
        return ((System.Collections.IEnumerable)sink.GetType().GetProperty("Results")!.GetValue(sink)!).Cast<object>()
            .Select(r => r.ToString()!).OrderBy(s => s, StringComparer.Ordinal).ToList();
    }
}
