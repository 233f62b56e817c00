namespace DataflowCompiler.Analyzers.Tests;

public sealed class MutableCaptureAnalyzerTests
{
    private static readonly MutableCaptureAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_a_local_written_inside_the_lambda()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    long seen = 0;
                    env.FromElements(1, 2, 3).Map(x => { {|DFC0002:seen|}++; return x; }).Print();
                }
            }
            """);
        Assert.Equal(
            "The function passed to Map captures mutable local `seen`; keep state in state primitives (ValueState, ListState, …) so it is partitioned by key and checkpointed",
            diagnostics.Single().GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reports_a_local_written_after_the_lambda_is_created()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var threshold = 10;
                    env.FromElements(1, 2, 3).Filter(x => x > {|DFC0002:threshold|}).Print();
                    threshold = 20;
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_a_local_written_in_a_loop_around_the_lambda()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var offset = 0;
                    for (var i = 0; i < 2; i++)
                    {
                        env.FromElements(1, 2, 3).Map(x => x + {|DFC0002:offset|}).Print();
                        offset = i;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_mutable_instance_and_static_fields()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed class Job
            {
                private int _count;
                private static int s_total;

                public void Run(StreamEnvironment env)
                {
                    env.FromElements(1, 2, 3).Map(x => {|DFC0002:_count|} += x).Print();
                    env.FromElements(1, 2, 3).KeyBy(x => x % 2).Reduce((a, b) => a + b + {|DFC0002:s_total|}).Print();
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_a_parameter_written_after_capture()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env, int factor)
                {
                    env.FromElements(1, 2, 3).Map(x => x * {|DFC0002:factor|}).Print();
                    factor++;
                }
            }
            """);
    }

    [Fact]
    public async Task Ignores_readonly_const_and_never_rewritten_captures()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed class Job
            {
                private readonly int _limit = 3;
                private const int Offset = 1;

                public void Run(StreamEnvironment env, int factor)
                {
                    var prefix = "n";
                    prefix = prefix + ":";
                    env.FromElements(1, 2, 3)
                        .Filter(x => x < _limit)
                        .Map(x => x * factor + Offset)
                        .Map(x => prefix + x)
                        .Print();
                }
            }
            """);
    }

    [Fact]
    public async Task Ignores_state_inside_the_lambda_and_lambdas_outside_the_api()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var counter = 0;
                    Func<int, int> notAnOperator = x => counter += x;
                    env.FromElements(1, 2, 3).FlatMap<int>((x, output) => { var local = 0; local += x; output.Collect(local); }).Print();
                    _ = notAnOperator(1);
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_in_top_level_statements_and_for_loop_variables()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            var env = StreamEnvironment.CreateLocal(1);
            var total = 0;
            env.FromElements(1, 2).Map(x => {|DFC0002:total|} += x).Print();
            for (var i = 0; i < 2; i++)
            {
                env.FromElements(1, 2).Map(x => x + {|DFC0002:i|}).Print();
            }
            foreach (var item in new[] { 1, 2 })
            {
                env.FromElements(1, 2).Map(x => x + item).Print();
            }
            """, Microsoft.CodeAnalysis.OutputKind.ConsoleApplication);
    }
}
