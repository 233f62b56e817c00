namespace DataflowCompiler.Analyzers.Tests;

public sealed class NonDeterminismAnalyzerTests
{
    private static readonly NonDeterminismAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_clock_random_and_guid_in_key_selectors()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    numbers.KeyBy(x => {|DFC0004:DateTime.Now|}.Minute + x).Print();
                    numbers.KeyBy(x => {|DFC0004:Guid.NewGuid()|}).Print();
                    numbers.KeyBy(x => {|DFC0004:Random.Shared|}.Next()).Print();
                    numbers.KeyBy(x => {|DFC0004:new Random()|}.Next(x)).Print();
                    numbers.KeyBy(x => x + {|DFC0004:Environment.TickCount64|}).Print();
                    numbers.KeyBy(x => {|DFC0004:System.Diagnostics.Stopwatch.GetTimestamp()|}).Print();
                    numbers.PartitionCustom(new ModPartitioner(), x => {|DFC0004:DateTime.UtcNow|}.Second).Print();
                }
            }

            public sealed class ModPartitioner : IPartitioner<int>
            {
                public int Partition(int key, int numPartitions) => key % numPartitions;
            }
            """);
        Assert.Equal(
            "The key selector passed to KeyBy uses `DateTime.Now`, which is not deterministic; derive keys and timestamps from the record only",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reports_timestamp_assigners_by_parameter_or_type_name()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            // Stand-ins for the time API, which lives in the runtime's namespaces.
            namespace DataflowCompiler.Time
            {
                public static class WatermarkStrategy
                {
                    public static int ForMonotonousTimestamps<T>(Func<T, long> extract) => 0;
                }

                public static class TimeApi
                {
                    public static void Assign<T>(DataStream<T> stream, Func<T, long> timestampAssigner) { }
                }
            }

            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    DataflowCompiler.Time.WatermarkStrategy.ForMonotonousTimestamps<int>(x => {|DFC0004:DateTime.UtcNow|}.Ticks);
                    DataflowCompiler.Time.TimeApi.Assign(env.FromElements(1), x => {|DFC0004:DateTimeOffset.Now|}.Ticks);
                    DataflowCompiler.Time.TimeApi.Assign(env.FromElements(1), x => x * 1000L);
                }
            }
            """);
    }

    [Fact]
    public async Task Ignores_deterministic_selectors_and_other_operators()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    numbers.KeyBy(x => x % 7).Print();
                    numbers.KeyBy(x => new DateTime(2020, 1, 1).AddDays(x).DayOfWeek).Print();
                    numbers.Map(x => (x, DateTime.UtcNow)).Print();
                    var key = Guid.NewGuid();
                    numbers.KeyBy(x => key).Print();
                }
            }
            """);
    }
}
