using DataflowCompiler.Functions;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>The checkpoint protocol end to end: barriers, the final checkpoint of a bounded job, recovery of source positions.</summary>
public sealed class CheckpointProtocolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dfc-protocol-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private StreamEnvironment Environment(int parallelism, CheckpointingMode mode = CheckpointingMode.ExactlyOnce)
    {
        var env = StreamEnvironment.CreateLocal(parallelism).EnableCheckpointing(TimeSpan.FromMilliseconds(20), mode);
        env.Configuration.Checkpointing.Directory = _directory;
        return env;
    }

    [Theory, InlineData(1, CheckpointingMode.ExactlyOnce), InlineData(3, CheckpointingMode.ExactlyOnce), InlineData(2, CheckpointingMode.AtLeastOnce)]
    public async Task A_bounded_job_with_checkpoints_ends_with_a_final_checkpoint_and_loses_nothing(int parallelism, CheckpointingMode mode)
    {
        var env = Environment(parallelism, mode);
        var results = env.FromSequence(0, 19_999).Map(x => x * 2).Rebalance().Filter(x => x % 3 != 0).CollectToList();
        var client = env.ExecuteAsync("final checkpoint");
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(Enumerable.Range(0, 20_000).Select(x => x * 2L).Where(x => x % 3 != 0).Order(), results.Results.Order());
        var completed = Directory.GetDirectories(_directory, "chk-*", SearchOption.AllDirectories)
            .Where(d => File.Exists(Path.Combine(d, "_metadata"))).ToList();
        Assert.NotEmpty(completed); // at least the final checkpoint
    }

    [Fact]
    public async Task A_failure_restarts_the_job_from_the_latest_checkpoint_and_sources_resume_at_their_positions()
    {
        var env = Environment(1);
        var failer = new FailAfterTwoCheckpoints();
        var results = env.FromSequence(0, 49_999).Map(failer).CollectToList();
        var client = env.ExecuteAsync("recovery");
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(1, client.Restarts);
        Assert.True(failer.Shared.FailedAt > 0, "the injected failure never happened");
        // The collect sink is not transactional: records between the checkpoint and the failure appear twice,
        // but every record appears, and the replay starts at the checkpoint, not at the beginning.
        var distinct = results.Results.Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, 50_000).Select(x => (long)x), distinct);
        Assert.True(results.Results.Count < 50_000 + failer.Shared.FailedAt,
            $"{results.Results.Count} records, failure at {failer.Shared.FailedAt}: the source replayed from the start");
    }

    /// <summary>
    /// Fails once, at the first record after two checkpoints completed (the second was taken after records flowed, so
    /// its source position is past the start); until then it slows the source so checkpoints complete during the run.
    /// </summary>
    private sealed class FailAfterTwoCheckpoints : IMapFunction<long, long>, ICheckpointListener
    {
        public sealed class Counters
        {
            public int Completed;
            public long FailedAt = -1;
        }

        public Counters Shared { get; } = new(); // subtask copies are shallow: they share this

        public long Map(long x)
        {
            if (Volatile.Read(ref Shared.Completed) < 2)
            {
                Thread.Sleep(1);
            }
            else if (Interlocked.CompareExchange(ref Shared.FailedAt, x, -1) == -1)
            {
                throw new InvalidOperationException("injected");
            }
            return x;
        }

        public void NotifyCheckpointComplete(long checkpointId) => Interlocked.Increment(ref Shared.Completed);
    }
}
