using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>Keyed state and a transactional sink through failures: the committed output equals a failure-free run's.</summary>
public sealed class ExactlyOnceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dfc-exactly-once-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static int _failuresLeft;

    [Theory, InlineData(1, false), InlineData(3, false), InlineData(2, true)]
    public async Task A_keyed_sum_into_a_transactional_file_sink_commits_every_result_once_despite_failures(int parallelism, bool fullCheckpoints)
    {
        const int Count = 40_000;
        string output = Path.Combine(_directory, "out");
        var env = StreamEnvironment.CreateLocal(parallelism).EnableCheckpointing(TimeSpan.FromMilliseconds(15));
        env.Configuration.Checkpointing.Directory = Path.Combine(_directory, "checkpoints");
        env.Configuration.Checkpointing.Incremental = !fullCheckpoints;
        env.Configuration.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(1));
        _failuresLeft = 2;
        // One producer keeps each key's records in order, so each key's running totals are deterministic.
        env.FromSequence(0, Count - 1).SetParallelism(1)
           .Map(x =>
           {
               if (x % 500 == 0)
               {
                   Thread.Sleep(1); // lets checkpoints happen during the run
               }
               if ((x == 15_000 || x == 31_000) && Interlocked.Decrement(ref _failuresLeft) >= 0)
               {
                   throw new InvalidOperationException($"injected at {x}");
               }
               return (Key: x % 7, Value: x);
           }).SetParallelism(1)
           .KeyBy(t => t.Key)
           .Sum(t => t.Value)
           .SinkTo(new TransactionalFileSink<(long Key, long Value)>(output, t => $"{t.Key},{t.Value}"));
        var client = env.ExecuteAsync("exactly once");
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(2, client.Restarts);
        var committed = TransactionalFileSink<(long, long)>.ReadCommitted(output)
            .Select(line => line.Split(',')).Select(p => (Key: long.Parse(p[0]), Value: long.Parse(p[1]))).ToList();
        // A rolling sum emits the running total of its key for every record: exactly once means one line per record,
        // and per key the running totals of that key's records in order.
        Assert.Equal(Count, committed.Count);
        foreach (var key in Enumerable.Range(0, 7))
        {
            long total = 0;
            var expected = Enumerable.Range(0, Count).Where(x => x % 7 == key).Select(x => total += x).ToList();
            Assert.Equal(expected, committed.Where(c => c.Key == key).Select(c => c.Value).ToList());
        }
    }

    [Theory, InlineData(1, true), InlineData(3, true), InlineData(3, false)]
    public async Task Checkpoints_under_backpressure_keep_exactly_once_through_failures(int parallelism, bool unaligned)
    {
        const int Count = 30_000;
        string output = Path.Combine(_directory, "out-unaligned");
        var env = StreamEnvironment.CreateLocal(parallelism).EnableCheckpointing(TimeSpan.FromMilliseconds(10));
        env.Configuration.Checkpointing.Directory = Path.Combine(_directory, "checkpoints-unaligned");
        env.Configuration.Checkpointing.Unaligned = unaligned;
        env.Configuration.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(1));
        env.Configuration.BufferTimeout = TimeSpan.FromMilliseconds(1);
        _failuresLeft = 2;
        env.FromSequence(0, Count - 1).SetParallelism(1)
           .Map(x =>
           {
               if ((x == 12_000 || x == 25_000) && Interlocked.Decrement(ref _failuresLeft) >= 0)
               {
                   throw new InvalidOperationException($"injected at {x}");
               }
               return (Key: x % 11, Value: x);
           }).SetParallelism(1)
           .KeyBy(t => t.Key)
           .Sum(t => t.Value)
           .Map(t =>
           {
               // A slow consumer: buffers queue up in front of it, so barriers overtake them.
               if (t.Value % 97 == 0)
               {
                   Thread.Sleep(1);
               }
               return t;
           })
           .Rebalance()
           .Filter(t => t.Key >= 0)
           .SinkTo(new TransactionalFileSink<(long Key, long Value)>(output, t => $"{t.Key},{t.Value}"));
        var client = env.ExecuteAsync("unaligned");
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(2, client.Restarts);

        var committed = TransactionalFileSink<(long, long)>.ReadCommitted(output)
            .Select(line => line.Split(',')).Select(p => (Key: long.Parse(p[0]), Value: long.Parse(p[1]))).ToList();
        var expected = new List<(long Key, long Value)>();
        var totals = new long[11];
        for (long x = 0; x < Count; x++)
        {
            expected.Add((x % 11, totals[x % 11] += x));
        }
        Assert.Equal(expected.Order(), committed.Order());
    }
}
