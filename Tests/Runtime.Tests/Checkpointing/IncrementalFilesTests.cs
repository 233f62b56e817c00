using DataflowCompiler.Checkpointing.Storage;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>Incremental checkpoints of a real job: shared files are referenced across checkpoints and deleted when no retained one needs them.</summary>
public sealed class IncrementalFilesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dfc-incremental-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Retained_checkpoints_reference_chains_of_shared_files_and_nothing_else_stays_on_disk()
    {
        // Checkpoints are triggered by hand while the source waits at a gate, so the chain lengths are known:
        // with at most 3 files per chain, checkpoints 1..5 have chains 1, 2, 3, 1, 2 (the final one is 6: 3).
        var gate = new SourceGate(0);
        var env = StreamEnvironment.CreateLocal(2).EnableCheckpointing(TimeSpan.FromHours(1));
        env.Configuration.Checkpointing.Directory = _directory;
        env.Configuration.Checkpointing.MaxIncrementalChain = 3;
        env.Configuration.Checkpointing.RetainedCheckpoints = 2;
        var results = env.FromSource(new GatedSource<long>(i => i, 60_000, gate), "gated").SetParallelism(1)
            .Map(x => (Key: x % 1000, Value: 1L)).SetParallelism(1)
            .KeyBy(t => t.Key)
            .Sum(t => t.Value)
            .CollectToList();
        var client = env.ExecuteAsync("incremental files");
        for (int checkpoint = 1; checkpoint <= 5; checkpoint++)
        {
            gate.Open(checkpoint * 10_000);
            while (gate.Emitted < checkpoint * 10_000)
            {
                await Task.Delay(1);
            }
            await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        gate.Open();
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(60_000, results.Results.Count);

        string root = client.Master.CheckpointDirectory;
        var retained = Directory.GetDirectories(root, "chk-*").Where(d => File.Exists(Path.Combine(d, "_metadata"))).Order().ToList();
        Assert.Equal(["chk-5", "chk-6"], retained.Select(Path.GetFileName));
        var referenced = new HashSet<string>();
        var chainLengths = new List<int>();
        foreach (var directory in retained)
        {
            var metadata = CheckpointStorage.ReadMetadata(directory);
            CheckpointStorage.Verify(directory, metadata); // every referenced file exists with its size
            chainLengths.Add(metadata.Operators.SelectMany(o => o.Subtasks).Where(s => s.KeyedState.Count > 0).Select(s => s.KeyedState.Count).Distinct().Single());
            foreach (var handle in CheckpointStorage.Handles(metadata))
            {
                referenced.Add(Path.GetFullPath(CheckpointStorage.ResolvePath(directory, handle)));
            }
        }
        Assert.Equal([2, 3], chainLengths);
        var shared = Directory.GetFiles(Path.Combine(root, "shared")).Select(Path.GetFullPath).ToHashSet();
        var referencedShared = referenced.Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "shared").ToHashSet();
        Assert.Equal(referencedShared.Order(), shared.Order()); // nothing shared is missing, nothing unreferenced stays
    }
}
