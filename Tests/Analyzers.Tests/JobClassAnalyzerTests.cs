namespace DataflowCompiler.Analyzers.Tests;

public sealed class JobClassAnalyzerTests
{
    private static readonly JobClassAnalyzer Analyzer = new();

    [Fact]
    public async Task Accepts_a_job_that_follows_the_fusion_contract()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            [DataflowJob]
            public static partial class WordCount
            {
                private const int Parallelism = 2;

                public static void Define(StreamEnvironment env)
                {
                    var lines = env.FromElements("a b", "b c");
                    lines
                        .FlatMap<string>(static (line, output) =>
                        {
                            foreach (var word in line.Split(' '))
                            {
                                if (word.Length > 0) output.Collect(word);
                            }
                        })
                        .Map(Normalize)
                        .Map(new Counter().Count)
                        .Map(new Pair())
                        .SetParallelism(Parallelism)
                        .SetMaxParallelism(128)
                        .KeyBy(static p => p.Word)
                        .Sum(p => p.Count)
                        .Print();
                }

                private static string Normalize(string word) => word.ToLowerInvariant();
            }

            public sealed class Counter
            {
                public string Count(string word) => word;
            }

            public sealed class Pair : IMapFunction<string, (string Word, long Count)>
            {
                public (string Word, long Count) Map(string value) => (value, 1L);
            }
            """);
    }

    [Fact]
    public async Task Reports_capturing_lambdas_with_operator_line_and_reason()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            [DataflowJob]
            public static partial class Job
            {
                private static int s_threshold = 3;

                public static void Define(StreamEnvironment env)
                {
                    var factor = 2;
                    env.FromElements(1, 2, 3)
                        .{|DFC0001:Map|}(x => x * factor)
                        .{|DFC0001:Filter|}(x => x > s_threshold)
                        .{|DFC0001:Map|}(x => env.Parallelism + x)
                        .Print();
                }
            }
            """);
        var messages = diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(
            [
                "Map at line 10: the lambda captures local `factor`; the chain runs interpreted",
                "Filter at line 11: the lambda captures field `s_threshold`; the chain runs interpreted",
                "Map at line 12: the lambda captures parameter `env`; the chain runs interpreted",
            ],
            messages);
    }

    [Fact]
    public async Task Reports_chains_in_loops_and_conditionals_and_non_constant_parallelism()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env)
                {
                    for (var i = 0; i < 2; i++)
                    {
                        env.{|DFC0001:FromElements|}(1, 2, 3).Map(static x => x).Print();
                    }
                    if (env.Parallelism > 1)
                    {
                        env.{|DFC0001:FromSequence|}(0, 9).Print();
                    }
                    env.FromSequence(0, 9).{|DFC0001:SetParallelism|}(env.Parallelism).Print();
                }
            }
            """);
        Assert.Contains("the chain is built inside a loop", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("the chain is built inside a conditional", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("the argument `env.Parallelism` is not a constant", diagnostics[2].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_unsealed_function_objects_and_method_groups_complex_bodies_and_function_values()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public class Doubler : IMapFunction<int, int>
            {
                public virtual int Map(int value) => value * 2;
            }

            [DataflowJob]
            public static partial class Job
            {
                private static readonly Func<int, bool> IsEven = static x => x % 2 == 0;

                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1, 2, 3)
                        .{|DFC0001:Map|}(new Doubler())
                        .{|DFC0001:Map|}(new Doubler().Map)
                        .{|DFC0001:Filter|}(IsEven)
                        .{|DFC0001:Map|}(static x => { try { return checked(x * 2); } catch (OverflowException) { return 0; } })
                        .Print();
            }
            """);
    }

    [Fact]
    public async Task Reports_a_job_class_that_is_not_static_partial()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            [DataflowJob]
            public static class {|DFC0008:NotPartial|}
            {
                public static void Define(StreamEnvironment env) => env.FromElements(1).Print();
            }

            [DataflowJob]
            public class {|DFC0008:Neither|}
            {
                public static void Define(StreamEnvironment env) => env.FromElements(1).Print();
            }
            """);
        Assert.Equal(
            "Job class `NotPartial` must be declared `static partial` (missing: partial); the generator cannot add its fused chains and the job runs interpreted",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("(missing: static, partial)", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_a_job_class_without_define()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            [DataflowJob]
            public static partial class {|DFC0009:NoDefine|}
            {
                public static void Build(StreamEnvironment env) => env.FromElements(1).Print();
            }

            [DataflowJob]
            public static partial class {|DFC0009:WrongSignature|}
            {
                public static int Define(StreamEnvironment env) => 0;
            }
            """);
    }

    [Fact]
    public async Task Suggests_static_for_lambdas_that_capture_nothing()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1, 2, 3)
                        .Map({|DFC0011:x => x + 1|})
                        .Filter(static x => x > 1)
                        .Print();
            }

            public static class NotAJob
            {
                public static void Define(StreamEnvironment env) => env.FromElements(1).Map(x => x + 1).Print();
            }
            """);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, diagnostics.Single().Severity);
    }
}
