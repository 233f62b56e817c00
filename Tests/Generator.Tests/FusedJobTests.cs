using DataflowCompiler.Fusion;

namespace DataflowCompiler.Generator.Tests;

/// <summary>Jobs compiled with the generator run fused and give what the interpreted path gives.</summary>
public sealed class FusedJobTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using DataflowCompiler;
        using DataflowCompiler.Functions;
        using DataflowCompiler.Sinks;
        using DataflowCompiler.State;
        """;

    private const string Stateless = Usings + """

        namespace Jobs.Stateless;

        public readonly record struct Point(long X, long Y);

        [DataflowJob]
        public static partial class StatelessJob
        {
            public static readonly CollectSink<Point> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 20_000)
                   .Map(x => new Point(x, x * x % 97))
                   .Filter(static p => p.Y % 3 != 0)
                   .FlatMap((Point p, ICollector<Point> output) =>
                   {
                       output.Collect(p);
                       if (p.X % 5 == 0)
                       {
                           output.Collect(p with { Y = -p.Y });
                       }
                   })
                   .Map(Shift)
                   .SinkTo(Results);

            private static Point Shift(Point p) => new(p.X + 1, p.Y);
        }
        """;

    private const string Keyed = Usings + """

        namespace Jobs.Keyed;

        public sealed class Parity : ProcessFunction<long, string>
        {
            public override void ProcessElement(long value, Context context, ICollector<string> output) =>
                output.Collect(value % 2 == 0 ? "even" : "odd");
        }

        public sealed class Running : KeyedProcessFunction<string, string, string>
        {
            private IValueState<long> _count = null!;

            public override void Open(RuntimeContext context)
            {
                base.Open(context);
                _count = context.GetState(new ValueStateDescriptor<long>("count"));
            }

            public override void ProcessElement(string value, Context context, ICollector<string> output)
            {
                long n = _count.Value() + 1;
                _count.Update(n);
                output.Collect($"{context.CurrentKey}={n}");
            }
        }

        [DataflowJob]
        public static partial class SumJob
        {
            public static readonly CollectSink<(long Key, long Count)> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 10_000)
                   .Map(static x => (Key: x % 37, Count: 1L))
                   .KeyBy(static t => t.Key)
                   .Sum(t => t.Count)
                   .Filter(t => t.Count % 2 == 0)
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class ProcessJob
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env)
            {
                env.FromElements(3L, 1L, 4L, 1L, 5L, 9L, 2L, 6L, 5L, 3L, 5L)
                   .Process(new Parity())
                   .KeyBy(static s => s)
                   .Process(new Running())
                   .Name("running count")
                   .SinkTo(Results);
            }
        }

        [DataflowJob]
        public static partial class ReduceJob
        {
            public static readonly CollectSink<long> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 5_000)
                   .SetParallelism(1) // one producer per key: a rolling reduce's outputs depend on the order of the key's records
                   .KeyBy(static x => x % 10)
                   .Reduce(static (a, b) => a + b)
                   .SinkTo(Results);
        }

        [DataflowJob]
        public static partial class StringKeyReduceJob
        {
            public static readonly CollectSink<long> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 5_000)
                   .SetParallelism(1)
                   .KeyBy(static x => "k" + (x % 10))
                   .Reduce(static (a, b) => a + b)
                   .SinkTo(Results);
        }
        """;

    private const string Failing = Usings + """

        namespace Jobs.Failing;

        [DataflowJob]
        public static partial class FailingJob
        {
            public static readonly CollectSink<long> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 1_000)
                   .Filter(x => x % 2 == 1)
                   .Map(x => x == 57 ? throw new InvalidOperationException("boom") : x)
                   .SinkTo(Results);
        }
        """;

    private const string Capturing = Usings + """

        namespace Jobs.Capturing;

        [DataflowJob]
        public static partial class CapturingJob
        {
            public static readonly CollectSink<long> Results = new();

            public static void Define(StreamEnvironment env)
            {
                long factor = 3;
                env.FromSequence(1, 100).Map(x => x * factor).SinkTo(Results);
            }
        }
        """;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var job in new[] { "Jobs.Stateless.StatelessJob", "Jobs.Keyed.SumJob", "Jobs.Keyed.ProcessJob", "Jobs.Keyed.ReduceJob", "Jobs.Keyed.StringKeyReduceJob" })
        {
            data.Add(job, 1);
            data.Add(job, 3);
        }
        return data;
    }

    private const string Timers = Usings + """

        namespace Jobs.Timers;

        public sealed class CountThenReport : KeyedProcessFunction<long, long, string>
        {
            private IValueState<long> _count = null!;

            public override void Open(RuntimeContext context) => _count = context.GetState(new ValueStateDescriptor<long>("count"));

            public override void ProcessElement(long value, Context context, ICollector<string> output)
            {
                _count.Update(_count.Value() + 1);
                context.TimerService.RegisterEventTimeTimer(1_000);
            }

            public override void OnTimer(long timestamp, OnTimerContext context, ICollector<string> output) =>
                output.Collect($"{context.CurrentKey}:{_count.Value()}@{timestamp}");
        }

        [DataflowJob]
        public static partial class TimerJob
        {
            public static readonly CollectSink<string> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 300)
                   .KeyBy(static x => x % 7)
                   .Process(new CountThenReport())
                   .SinkTo(Results);
        }
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_function_with_timers_runs_interpreted_and_its_timers_fire(int parallelism)
    {
        var (assembly, _) = GeneratorHarness.CompileAndLoad("TimerOnly", Timers);
        var job = assembly.GetType("Jobs.Timers.TimerJob", throwOnError: true)!;
        var (results, log) = GeneratorHarness.Run(job, parallelism, FusionMode.Enabled);
        // Every key's timer fires once, at the end of input, with the key's count.
        var expected = Enumerable.Range(1, 300).GroupBy(x => x % 7).Select(g => $"{g.Key}:{g.Count()}@1000").OrderBy(s => s, StringComparer.Ordinal);
        Assert.Equal(expected, results);
        Assert.Contains(log, line => line.Contains("runs interpreted") && line.Contains("handles timers"));
    }

    private static readonly Lazy<System.Reflection.Assembly> Jobs = new(() => GeneratorHarness.CompileAndLoad("FusedJobs", Stateless, Keyed, Failing, Capturing).Assembly);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_run_gives_the_interpreted_result(string jobName, int parallelism)
    {
        var job = Jobs.Value.GetType(jobName, throwOnError: true)!;
        var (interpreted, interpretedLog) = GeneratorHarness.Run(job, parallelism, FusionMode.Disabled);
        var (fused, fusedLog) = GeneratorHarness.Run(job, parallelism, FusionMode.Enabled);

        Assert.NotEmpty(interpreted);
        Assert.Equal(interpreted, fused);
        Assert.All(interpretedLog, line => Assert.Contains("runs interpreted: fusion is disabled", line));
        Assert.NotEmpty(fusedLog);
        Assert.All(fusedLog, line => Assert.Contains("runs fused", line));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void User_code_failure_names_the_operator_and_record_as_interpreted(int parallelism)
    {
        var job = Jobs.Value.GetType("Jobs.Failing.FailingJob", throwOnError: true)!;
        string Failure(FusionMode mode)
        {
            var failure = Assert.Throws<JobExecutionException>(() => GeneratorHarness.Run(job, parallelism, mode));
            var user = Assert.IsType<Operators.UserCodeException>(failure.InnerException);
            Assert.Equal("boom", user.InnerException!.Message);
            return user.Message;
        }
        string interpreted = Failure(FusionMode.Disabled);
        Assert.Contains("input record #29", interpreted);
        Assert.Equal(interpreted, Failure(FusionMode.Enabled));
    }

    [Fact]
    public void Generated_stateless_chain_is_one_loop_without_delegates()
    {
        var (_, generated) = GeneratorHarness.CompileAndLoad("StatelessOnly", Stateless);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "StatelessJob.Fusion.g.cs"), generated);
        Assert.Contains("public override global::DataflowCompiler.Sources.ReadStatus EmitBatch(int maxRecords)", generated);
        Assert.Contains("__chain.Emit", generated);
        Assert.DoesNotContain("Func<", generated.Split("namespace DataflowCompiler.Generated")[0]);
        Assert.DoesNotContain("Invoke(", generated);
    }

    [Fact]
    public void Rolling_aggregates_with_unmanaged_keys_use_a_flat_state_and_others_the_binary_state()
    {
        var (_, generated) = GeneratorHarness.CompileAndLoad("KeyedOnly", Keyed);
        // SumJob: long keys, (long, long) records; ReduceJob: long keys and records.
        Assert.Contains("FlatValueState<long, (long Key, long Count)>.TryCreate(_backend0!, ", generated);
        Assert.Contains("FlatValueState<long, long>.TryCreate(_backend0!, ", generated);
        Assert.Contains("ref var slot = ref flat.GetOrAdd(", generated);
        // StringKeyReduceJob: a string key cannot live in a flat table, so its chain only has the binary state.
        var stringKeyed = generated.Split("internal sealed class Chain").Single(c => c.Contains("FusedChain<long>") && c.Contains("BinaryKeyedStateBackend<string>") && c.Contains("Reduce"));
        Assert.DoesNotContain("FlatValueState", stringKeyed);
        Assert.Contains("_backend0!.SetCurrentKey(", stringKeyed);
        Assert.Contains("GetInPlaceValueState(", stringKeyed);
    }

    [Fact]
    public void Capturing_lambda_runs_interpreted_and_says_why()
    {
        var (assembly, generated) = GeneratorHarness.CompileAndLoad("CapturingOnly", Capturing);
        Assert.Contains("captures 'factor'", generated);
        var job = assembly.GetType("Jobs.Capturing.CapturingJob", throwOnError: true)!;
        var (results, log) = GeneratorHarness.Run(job, 2, FusionMode.Enabled);
        Assert.Equal(Enumerable.Range(1, 100).Select(x => (x * 3L).ToString()).OrderBy(s => s, StringComparer.Ordinal), results);
        var line = Assert.Single(log);
        Assert.Contains("runs interpreted", line);
        Assert.Contains("was not compiled by the fusion generator", line);
    }
}
