using DataflowCompiler.Checkpointing;
using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.Runtime.Tests.Sources;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Checkpointing.Storage;

/// <summary>
/// Incremental checkpoints as the keyed backends write them: checkpoint n adds one shared delta file and references
/// the deltas of n-2..n (older ones were merged away), plus one exclusive operator-state file.
/// </summary>
public sealed class CompletedCheckpointStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly CheckpointStorage _storage;
    private readonly Dictionary<long, string> _deltas = [];

    public CompletedCheckpointStoreTests() => _storage = new CheckpointStorage(_directory.File("job"));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Retains_the_last_checkpoints_and_exactly_the_files_they_reference()
    {
        var store = new CompletedCheckpointStore(_storage, retained: 2);

        for (long n = 1; n <= 5; n++)
            store.AddCompleted(WriteIncremental(n));

        Assert.Equal([5L, 4L], store.Checkpoints.Select(c => c.CheckpointId));
        AssertOnlyRetainedFilesOnDisk(store);
        Assert.Equal(1, store.SharedReferenceCount(_deltas[2]));
        Assert.Equal(2, store.SharedReferenceCount(_deltas[3]));
        Assert.Equal(2, store.SharedReferenceCount(_deltas[4]));
        Assert.Equal(1, store.SharedReferenceCount(_deltas[5]));
        Assert.False(File.Exists(_deltas[1]));
        Assert.Empty(store.CleanupFailures);
    }

    [Fact]
    public void A_restarted_store_rebuilds_reference_counts_from_the_metadata_on_disk()
    {
        var first = new CompletedCheckpointStore(_storage, retained: 2);
        for (long n = 1; n <= 5; n++)
            first.AddCompleted(WriteIncremental(n));
        // Checkpoint 6 was in flight when the process died.
        string unfinished = _storage.CreateExclusiveFilePath(6, "operator");
        File.WriteAllBytes(unfinished, [1, 2, 3]);

        var store = new CompletedCheckpointStore(new CheckpointStorage(_storage.Root), retained: 2);

        Assert.False(Directory.Exists(_storage.CheckpointDirectory(6)));
        Assert.Equal([5L, 4L], store.Checkpoints.Select(c => c.CheckpointId));
        Assert.Equal(5, store.HighestCheckpointId);
        Assert.Equal(2, store.SharedReferenceCount(_deltas[3]));
        Assert.Empty(store.RecoveryProblems);

        store.AddCompleted(WriteIncremental(6));

        Assert.Equal([6L, 5L], store.Checkpoints.Select(c => c.CheckpointId));
        Assert.False(File.Exists(_deltas[2]));
        Assert.Equal(1, store.SharedReferenceCount(_deltas[3]));
        AssertOnlyRetainedFilesOnDisk(store);
    }

    [Fact]
    public void Concurrent_completions_keep_the_newest_and_only_their_files()
    {
        var store = new CompletedCheckpointStore(_storage, retained: 3);
        var metadata = Enumerable.Range(1, 40).Select(n => WriteIsolated(n)).ToArray();

        Parallel.ForEach(metadata.Reverse().Chunk(5), new ParallelOptions { MaxDegreeOfParallelism = 4 }, chunk =>
        {
            foreach (CheckpointMetadata m in chunk)
                store.AddCompleted(m);
        });

        Assert.Equal([40L, 39L, 38L], store.Checkpoints.Select(c => c.CheckpointId));
        AssertOnlyRetainedFilesOnDisk(store);
    }

    [Fact]
    public void Discarding_a_pending_checkpoint_removes_its_directory_and_unreferenced_shared_files()
    {
        var store = new CompletedCheckpointStore(_storage, retained: 2);
        store.AddCompleted(WriteIncremental(1));
        store.AddCompleted(WriteIncremental(2));
        // Checkpoint 3 wrote its files, then failed before completing; its metadata was never written.
        WriteIncremental(3);
        string unacknowledged = _storage.CreateSharedFilePath(3, "never-acknowledged");
        File.WriteAllBytes(unacknowledged, [9]);

        store.DiscardPending(3);

        Assert.False(Directory.Exists(_storage.CheckpointDirectory(3)));
        Assert.False(File.Exists(_deltas[3]));
        Assert.False(File.Exists(unacknowledged));
        AssertOnlyRetainedFilesOnDisk(store);
        Assert.Throws<InvalidOperationException>(() => store.DiscardPending(2));
    }

    [Fact]
    public void Loading_falls_back_past_corrupt_checkpoints_and_reports_their_paths()
    {
        var store = new CompletedCheckpointStore(_storage, retained: 3);
        for (long n = 1; n <= 3; n++)
            store.AddCompleted(WriteIncremental(n));
        string newestMetadata = Path.Combine(_storage.CheckpointDirectory(3), CheckpointStorage.MetadataFileName);
        byte[] bytes = File.ReadAllBytes(newestMetadata);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(newestMetadata, bytes);

        var problems = new List<string>();
        Assert.True(store.TryLoadLatest(out CheckpointMetadata? metadata, out string? directory, problems));

        Assert.Equal(2, metadata!.CheckpointId);
        Assert.Equal(_storage.CheckpointDirectory(2), directory);
        Assert.Contains(newestMetadata, Assert.Single(problems));

        // Checkpoint 2's own delta disappears: it fails verification too, and checkpoint 1 is next.
        File.Delete(_deltas[2]);
        problems.Clear();
        Assert.True(store.TryLoadLatest(out metadata, out directory, problems));

        Assert.Equal(1, metadata!.CheckpointId);
        Assert.Equal(2, problems.Count);
        Assert.Contains(_deltas[2], problems[1]);
        Assert.Contains("missing", problems[1]);
    }

    [Fact]
    public void Loading_fails_when_no_checkpoint_is_usable()
    {
        var store = new CompletedCheckpointStore(_storage, retained: 1);
        store.AddCompleted(WriteIncremental(1));
        File.WriteAllBytes(Path.Combine(_storage.CheckpointDirectory(1), CheckpointStorage.MetadataFileName), [1, 2, 3]);

        var problems = new List<string>();

        Assert.False(store.TryLoadLatest(out CheckpointMetadata? metadata, out string? directory, problems));
        Assert.Null(metadata);
        Assert.Null(directory);
        Assert.Contains(_storage.CheckpointDirectory(1), Assert.Single(problems));
    }

    [Fact]
    public void A_restarted_store_reports_unreadable_checkpoints_and_keeps_the_readable_ones()
    {
        var first = new CompletedCheckpointStore(_storage, retained: 3);
        for (long n = 1; n <= 3; n++)
            first.AddCompleted(WriteIncremental(n));
        string newestMetadata = Path.Combine(_storage.CheckpointDirectory(3), CheckpointStorage.MetadataFileName);
        File.WriteAllBytes(newestMetadata, File.ReadAllBytes(newestMetadata)[..^1]);

        var store = new CompletedCheckpointStore(_storage, retained: 3);

        Assert.Equal([2L, 1L], store.Checkpoints.Select(c => c.CheckpointId));
        Assert.Equal(3, store.HighestCheckpointId);
        Assert.Contains(newestMetadata, Assert.Single(store.RecoveryProblems));
    }

    [Fact]
    public void Any_sequence_of_completions_and_failures_keeps_exactly_the_referenced_files()
    {
        // Each step: does the checkpoint fail, how many new shared files it writes, which shared files of the latest
        // completed checkpoint it reuses (bit mask).
        var steps = Gen.ListOf(
            from fails in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from newFiles in Gen.Choose(0, 2)
            from reuse in Gen.Choose(0, 255)
            select (Fails: fails, NewFiles: newFiles, Reuse: reuse));

        Prop.ForAll(Arb.From(Gen.Choose(1, 3)), Arb.From(steps), (retained, plan) =>
        {
            using var root = new TempDirectory();
            var storage = new CheckpointStorage(root.File("job"));
            var store = new CompletedCheckpointStore(storage, retained);
            long n = 0;
            foreach (var step in plan)
            {
                n++;
                string directory = storage.CheckpointDirectory(n);
                var handles = new List<StateFileHandle>();
                if (store.Checkpoints.FirstOrDefault() is { } latest)
                {
                    string[] reusable = CheckpointStorage.Handles(latest.Metadata)
                        .Select(h => CheckpointStorage.ResolvePath(latest.Directory, h))
                        .Where(storage.IsSharedFile)
                        .ToArray();
                    for (int i = 0; i < reusable.Length && i < 8; i++)
                    {
                        if ((step.Reuse & (1 << i)) != 0)
                            handles.Add(CheckpointStorage.HandleFor(directory, reusable[i], new FileInfo(reusable[i]).Length));
                    }
                }

                for (int i = 0; i < step.NewFiles; i++)
                {
                    string shared = storage.CreateSharedFilePath(n, "delta");
                    handles.Add(CheckpointStorage.HandleFor(directory, shared, WriteSnapshot(shared, n)));
                }

                string exclusive = storage.CreateExclusiveFilePath(n, "operator");
                handles.Add(CheckpointStorage.HandleFor(directory, exclusive, WriteSnapshot(exclusive, n)));
                CheckpointMetadata metadata = CheckpointStorageTests.WithHandles(n, CheckpointKind.Checkpoint, [.. handles]);

                if (step.Fails)
                    store.DiscardPending(n);
                else
                    store.AddCompleted(metadata);
                AssertOnlyRetainedFilesOnDisk(store, storage);
            }

            Assert.True(store.Checkpoints.Count <= retained);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40).WithEndSize(15));
    }

    [Fact]
    public void Savepoints_are_not_retained_with_checkpoints()
    {
        var store = new CompletedCheckpointStore(_storage, retained: 1);

        Assert.Throws<ArgumentException>(() => store.AddCompleted(CheckpointStorageTests.WithHandles(1, CheckpointKind.Savepoint)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompletedCheckpointStore(_storage, retained: 0));
    }

    private CheckpointMetadata WriteIncremental(long n)
    {
        string directory = _storage.CheckpointDirectory(n);
        _deltas[n] = _storage.CreateSharedFilePath(n, "keyed-delta");
        long deltaSize = WriteSnapshot(_deltas[n], n);
        string operatorState = _storage.CreateExclusiveFilePath(n, "operator");
        long operatorSize = WriteSnapshot(operatorState, -n);

        var chain = new List<StateFileHandle>();
        for (long k = Math.Max(1, n - 2); k <= n; k++)
            chain.Add(CheckpointStorage.HandleFor(directory, _deltas[k], k == n ? deltaSize : new FileInfo(_deltas[k]).Length));
        var handles = chain.Append(CheckpointStorage.HandleFor(directory, operatorState, operatorSize)).ToArray();
        return CheckpointStorageTests.WithHandles(n, CheckpointKind.Checkpoint, handles);
    }

    private CheckpointMetadata WriteIsolated(long n)
    {
        string directory = _storage.CheckpointDirectory(n);
        string shared = _storage.CreateSharedFilePath(n, "keyed");
        string exclusive = _storage.CreateExclusiveFilePath(n, "operator");
        return CheckpointStorageTests.WithHandles(n, CheckpointKind.Checkpoint,
            CheckpointStorage.HandleFor(directory, shared, WriteSnapshot(shared, n)),
            CheckpointStorage.HandleFor(directory, exclusive, WriteSnapshot(exclusive, n)));
    }

    private static long WriteSnapshot(string path, long content)
    {
        using var writer = new SnapshotFileWriter(path);
        writer.Write(BitConverter.GetBytes(content));
        writer.Finish();
        return writer.Length;
    }

    /// <summary>Every file under the root belongs to a retained checkpoint, and every file they reference is there.</summary>
    private void AssertOnlyRetainedFilesOnDisk(CompletedCheckpointStore store) => AssertOnlyRetainedFilesOnDisk(store, _storage);

    private static void AssertOnlyRetainedFilesOnDisk(CompletedCheckpointStore store, CheckpointStorage storage)
    {
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (CompletedCheckpoint checkpoint in store.Checkpoints)
        {
            expected.Add(Path.Combine(checkpoint.Directory, CheckpointStorage.MetadataFileName));
            foreach (StateFileHandle handle in CheckpointStorage.Handles(checkpoint.Metadata))
                expected.Add(CheckpointStorage.ResolvePath(checkpoint.Directory, handle));
            CheckpointStorage.Verify(checkpoint.Directory, checkpoint.Metadata);
        }

        var actual = new SortedSet<string>(Directory.EnumerateFiles(storage.Root, "*", SearchOption.AllDirectories), StringComparer.Ordinal);
        Assert.Equal(expected, actual);
        var directories = Directory.EnumerateDirectories(storage.Root).Select(Path.GetFileName)
            .Where(d => d != CheckpointStorage.SharedDirectoryName).Order(StringComparer.Ordinal);
        Assert.Equal(store.Checkpoints.Select(c => Path.GetFileName(c.Directory)).Order(StringComparer.Ordinal), directories);
    }
}
