namespace DataflowCompiler.Analyzers.Tests;

public sealed class UnconsumedStreamAnalyzerTests
{
    private static readonly UnconsumedStreamAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_a_discarded_transformation()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    numbers.Print();
                    numbers.{|DFC0007:Map|}(x => x * 2).Name("doubled").SetParallelism(2);
                    numbers.{|DFC0007:KeyBy|}(x => x % 2);
                    env.{|DFC0007:FromSequence|}(0, 10);
                }
            }
            """);
        Assert.Equal(
            "The stream produced by `Map` is never consumed: add a sink (SinkTo, Print, WriteAsText, CollectToList) or a further transformation, or remove it",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reports_a_local_that_is_never_read()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    var {|DFC0007:doubled|} = numbers.Map(x => x * 2);
                    doubled.SetParallelism(2);
                    doubled.Name("doubled");
                    numbers.Print();
                }
            }
            """);
    }

    [Fact]
    public async Task Reports_in_top_level_statements()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            var env = StreamEnvironment.CreateLocal(1);
            env.FromElements("a", "b").{|DFC0007:Filter|}(s => s.Length > 0);
            """, Microsoft.CodeAnalysis.OutputKind.ConsoleApplication);
    }

    [Fact]
    public async Task Accepts_streams_that_reach_sinks_or_leave_the_method()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static DataStream<int> Build(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    numbers.SetParallelism(1);
                    var evens = numbers.Filter(x => x % 2 == 0);
                    evens.Name("evens");
                    var odds = numbers.Filter(x => x % 2 == 1);
                    odds.Union(evens).Map(x => x.ToString()).WriteAsText("out.txt");
                    var results = numbers.CollectToList();
                    numbers.Map(x => x + 1).Print().Name("print");
                    Consume(numbers.Map(x => x - 1));
                    return numbers.Map(x => -x);
                }

                private static void Consume(DataStream<int> stream) => stream.Print();
            }
            """);
    }
}
