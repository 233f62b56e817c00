using BenchmarkDotNet.Attributes;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// What periodic checkpoints cost a keyed aggregation: source → KeyBy (100 000 keys) → Sum → sink at parallelism 1,
/// interpreted, over enough events that the job runs several seconds; the baseline runs without checkpoints, the
/// others checkpoint every second (incremental, and full for comparison). One operation = one event, including
/// job start-up, the final checkpoint and shutdown.
/// </summary>
[MemoryDiagnoser]
public class CheckpointOverheadBenchmarks
{
    private const long Events = 30_000_000;
    private const long Keys = 100_000;
    private string _directory = "";

    [GlobalSetup]
    public void Setup() => _directory = Path.Combine(Path.GetTempPath(), "dfc-bench-checkpoints-" + Guid.NewGuid().ToString("N"));

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = (int)Events)]
    public long NoCheckpoints() => Run(null, incremental: true);

    [Benchmark(OperationsPerInvoke = (int)Events)]
    public long IncrementalEverySecond() => Run(TimeSpan.FromSeconds(1), incremental: true);

    [Benchmark(OperationsPerInvoke = (int)Events)]
    public long FullEverySecond() => Run(TimeSpan.FromSeconds(1), incremental: false);

    private long Run(TimeSpan? interval, bool incremental)
    {
        var configuration = new StreamConfiguration { Parallelism = 1 };
        configuration.Checkpointing.Interval = interval;
        configuration.Checkpointing.Incremental = incremental;
        configuration.Checkpointing.Directory = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        var env = StreamEnvironment.CreateLocal(configuration);
        var sink = new CountingSink<(long Key, long Value)>();
        env.FromSequence(0, Events - 1)
           .Map(i => (Key: i % Keys, Value: i & 15))
           .KeyBy(t => t.Key)
           .Sum(t => t.Value)
           .SinkTo(sink);
        env.Execute("checkpoint overhead");
        if (sink.Count != Events)
        {
            throw new InvalidOperationException($"The job emitted {sink.Count} records, expected {Events}.");
        }
        if (Directory.Exists(configuration.Checkpointing.Directory))
        {
            Directory.Delete(configuration.Checkpointing.Directory, recursive: true);
        }
        return sink.Count;
    }
}
