namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>Many checkpoints in flight at once: every one completes or is aborted, and the job ends.</summary>
public sealed class ConcurrentCheckpointTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dfc-concurrent-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Checkpoints_triggered_back_to_back_all_end_and_the_job_finishes(bool unaligned)
    {
        var gate = new SourceGate(0);
        var env = StreamEnvironment.CreateLocal(4).EnableCheckpointing(TimeSpan.FromHours(1));
        env.Configuration.Checkpointing.Directory = _directory;
        env.Configuration.Checkpointing.MaxConcurrentCheckpoints = 8;
        env.Configuration.Checkpointing.Unaligned = unaligned;
        var results = env.FromSource(new GatedSource<long>(i => i, 20_000, gate), "gated")
            .KeyBy(x => x % 97)
            .Sum(x => x)
            .CollectToList();
        var client = env.ExecuteAsync("concurrent checkpoints");
        var checkpoints = new List<Task<string>>();
        for (int round = 1; round <= 10; round++)
        {
            gate.Open(round * 2_000);
            for (int i = 0; i < 3; i++)
            {
                checkpoints.Add(client.Master.Coordinator!.TriggerCheckpointAsync());
            }
        }
        gate.Open();
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, client.Restarts); // a checkpoint overtaken by a newer one does not count as a failed checkpoint
        Assert.Equal(20_000, results.Results.Count);
        var ended = await Task.WhenAll(checkpoints.Select(async c =>
        {
            try
            {
                await c.WaitAsync(TimeSpan.FromSeconds(10));
                return true;
            }
            catch (CheckpointException)
            {
                return false; // subsumed by a newer checkpoint: allowed, and not a failure of the job
            }
        }));
        Assert.Contains(true, ended);
    }
}
