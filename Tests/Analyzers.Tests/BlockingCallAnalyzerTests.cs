namespace DataflowCompiler.Analyzers.Tests;

public sealed class BlockingCallAnalyzerTests
{
    private static readonly BlockingCallAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_blocking_calls_in_lambdas_passed_to_the_api()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static Task<int> LookUpAsync(int x) => Task.FromResult(x);

                public static void Run(StreamEnvironment env)
                {
                    env.FromElements(1, 2, 3)
                        .Map(x => { {|DFC0005:Thread.Sleep(10)|}; return x; })
                        .Map(x => {|DFC0005:LookUpAsync(x).Result|})
                        .Map(x => {|DFC0005:LookUpAsync(x).GetAwaiter().GetResult()|})
                        .Filter(x => {|DFC0005:Task.Delay(1).Wait(100)|})
                        .Print();
                }
            }
            """);
        Assert.Equal(
            "`Thread.Sleep` blocks the task thread inside the function passed to Map; operators must not block (use timers, async sources or sinks instead)",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reports_blocking_calls_in_function_classes()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed class Enricher : IMapFunction<int, int>
            {
                private readonly object _gate = new();

                public int Map(int value)
                {
                    lock (_gate) { {|DFC0005:Monitor.Wait(_gate, 10)|}; }
                    return value;
                }
            }

            public sealed class Slow : ProcessFunction<int, int>
            {
                private readonly ManualResetEventSlim _ready = new();

                public override void ProcessElement(int value, Context context, ICollector<int> output)
                {
                    {|DFC0005:_ready.Wait()|};
                    output.Collect(value);
                }
            }

            public sealed class SlowWriter : ISinkWriter<int>
            {
                public void Write(int record) => {|DFC0005:Task.Run(() => record).Wait()|};
                public void Flush(bool endOfInput) { }
                public void Dispose() { }
            }
            """);
        Assert.Contains("inside `Enricher.Map`", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignores_blocking_outside_operators_and_non_blocking_calls()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed class Helper
            {
                public int Slow(int x) { Thread.Sleep(1); return Task.FromResult(x).Result; }
            }

            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    Thread.Sleep(1);
                    var client = env.FromElements(1, 2, 3).Map(x => Task.FromResult(x).IsCompleted).CollectToList();
                    env.ExecuteAsync().Completion.Wait();
                }
            }
            """);
    }
}
