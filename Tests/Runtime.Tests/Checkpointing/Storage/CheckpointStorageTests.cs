using DataflowCompiler.Checkpointing;
using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.Runtime.Tests.Sources;
using DataflowCompiler.State;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Checkpointing.Storage;

public sealed class CheckpointStorageTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly CheckpointStorage _storage;

    public CheckpointStorageTests() => _storage = new CheckpointStorage(_directory.File("job"));

    public void Dispose() => _directory.Dispose();

    private static readonly Gen<string> Text =
        Gen.Elements("", "a", "map-1", "Source: numbers", "ünïcødé ✓", "../shared/x", new string('k', 300));

    private static readonly Gen<StateFileHandle> Handles =
        from path in Text
        from size in Gen.Choose(0, int.MaxValue).Select(s => (long)s * 3)
        select new StateFileHandle(path, size);

    private static readonly Gen<OperatorSubtaskStateMetadata> Subtasks =
        from index in Gen.Choose(0, 1000)
        from start in Gen.Choose(0, 32767)
        from count in Gen.Choose(0, 100)
        from keyed in Gen.ListOf(Handles)
        from hasOperatorState in ArbMap.Default.GeneratorFor<bool>()
        from operatorState in Handles
        select new OperatorSubtaskStateMetadata(index, new KeyGroupRange(start, start + count - 1), keyed, hasOperatorState ? operatorState : null);

    private static readonly Gen<OperatorStateMetadata> Operators =
        from id in Text
        from name in Text
        from parallelism in Gen.Choose(1, 512)
        from maxParallelism in Gen.Choose(1, 32768)
        from subtasks in Gen.ListOf(Subtasks)
        select new OperatorStateMetadata(id, name, parallelism, maxParallelism, subtasks);

    private static readonly Gen<CheckpointMetadata> Metadata =
        from id in ArbMap.Default.GeneratorFor<long>()
        from timestamp in ArbMap.Default.GeneratorFor<long>()
        from kind in Gen.Elements(CheckpointKind.Checkpoint, CheckpointKind.Savepoint)
        from operators in Gen.ListOf(Operators)
        select new CheckpointMetadata(id, timestamp, kind, operators);

    [Fact]
    public void Metadata_round_trips()
    {
        Prop.ForAll(Arb.From(Metadata), metadata =>
        {
            byte[] bytes = CheckpointMetadataSerializer.Serialize(metadata);
            AssertEqual(metadata, CheckpointMetadataSerializer.Deserialize(bytes, "test"));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithEndSize(12));
    }

    [Fact]
    public void Metadata_is_written_atomically_and_read_from_its_directory_or_file()
    {
        CheckpointMetadata metadata = Sample(7, _storage);
        string directory = _storage.CheckpointDirectory(7);

        CheckpointStorage.WriteMetadata(directory, metadata);

        Assert.Equal([CheckpointStorage.MetadataFileName], Directory.GetFiles(directory).Select(Path.GetFileName));
        AssertEqual(metadata, CheckpointStorage.ReadMetadata(directory));
        AssertEqual(metadata, CheckpointStorage.ReadMetadata(Path.Combine(directory, CheckpointStorage.MetadataFileName)));
        Assert.Equal(directory, CheckpointStorage.MetadataDirectoryOf(Path.Combine(directory, CheckpointStorage.MetadataFileName)));
        Assert.Throws<IOException>(() => CheckpointStorage.WriteMetadata(directory, metadata));
    }

    [Fact]
    public void A_leftover_temporary_metadata_file_is_ignored_and_cleaned_up()
    {
        // chk-1 crashed before the rename; chk-2 completed but left a temporary file of an earlier attempt.
        Directory.CreateDirectory(_storage.CheckpointDirectory(1));
        File.WriteAllBytes(Path.Combine(_storage.CheckpointDirectory(1), "_metadata.0123.tmp"), [1, 2, 3]);
        CheckpointStorage.WriteMetadata(_storage.CheckpointDirectory(2), Sample(2, _storage));
        string leftover = Path.Combine(_storage.CheckpointDirectory(2), "_metadata.4567.tmp");
        File.WriteAllBytes(leftover, [4, 5, 6]);

        Assert.Equal([(2L, _storage.CheckpointDirectory(2))], _storage.FindCompletedCheckpoints());
        Assert.Equal(2, CheckpointStorage.ReadMetadata(_storage.CheckpointDirectory(2)).CheckpointId);

        _storage.Cleanup();

        Assert.False(Directory.Exists(_storage.CheckpointDirectory(1)));
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(Path.Combine(_storage.CheckpointDirectory(2), CheckpointStorage.MetadataFileName)));
    }

    [Fact]
    public void Completed_checkpoints_are_listed_newest_first_by_number()
    {
        foreach (long id in new long[] { 9, 10, 2 })
            CheckpointStorage.WriteMetadata(_storage.CheckpointDirectory(id), Sample(id, _storage));
        Directory.CreateDirectory(_storage.CheckpointDirectory(11));
        Directory.CreateDirectory(Path.Combine(_storage.Root, "chk-x"));

        Assert.Equal([10L, 9L, 2L], _storage.FindCompletedCheckpoints().Select(c => c.Id));
    }

    [Fact]
    public void Any_damaged_metadata_byte_is_detected_and_names_the_file()
    {
        string directory = _storage.CheckpointDirectory(3);
        CheckpointStorage.WriteMetadata(directory, Sample(3, _storage));
        string path = Path.Combine(directory, CheckpointStorage.MetadataFileName);
        byte[] bytes = File.ReadAllBytes(path);

        for (int position = 0; position < bytes.Length; position++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[position] ^= 0x04;
            File.WriteAllBytes(path, copy);

            var e = Assert.Throws<CheckpointCorruptedException>(() => CheckpointStorage.ReadMetadata(directory));
            Assert.Equal(path, e.FilePath);
        }

        File.WriteAllBytes(path, bytes[..^3]);
        Assert.StartsWith("truncated", Assert.Throws<CheckpointCorruptedException>(() => CheckpointStorage.ReadMetadata(path)).Problem);
    }

    [Fact]
    public void Missing_metadata_is_reported_with_its_path()
    {
        string directory = _storage.CheckpointDirectory(4);
        Directory.CreateDirectory(directory);

        var e = Assert.Throws<CheckpointCorruptedException>(() => CheckpointStorage.ReadMetadata(directory));

        Assert.Equal("missing", e.Problem);
        Assert.Equal(Path.Combine(directory, CheckpointStorage.MetadataFileName), e.FilePath);
    }

    [Fact]
    public void Handles_are_relative_to_the_metadata_directory()
    {
        string directory = _storage.CheckpointDirectory(5);
        string shared = _storage.CreateSharedFilePath(5, "keyed state/op 1");
        string exclusive = _storage.CreateExclusiveFilePath(5, "operator");

        StateFileHandle sharedHandle = CheckpointStorage.HandleFor(directory, shared, 10);
        StateFileHandle exclusiveHandle = CheckpointStorage.HandleFor(directory, exclusive, 20);

        Assert.StartsWith("../shared/5-keyed_state_op_1-", sharedHandle.RelativePath);
        Assert.DoesNotContain('/', exclusiveHandle.RelativePath);
        Assert.Equal(shared, CheckpointStorage.ResolvePath(directory, sharedHandle));
        Assert.Equal(exclusive, CheckpointStorage.ResolvePath(directory, exclusiveHandle));
        Assert.True(_storage.IsSharedFile(shared));
        Assert.False(_storage.IsSharedFile(exclusive));
        Assert.NotEqual(shared, _storage.CreateSharedFilePath(5, "keyed state/op 1"));
    }

    [Fact]
    public void A_savepoint_must_not_reference_files_outside_its_directory()
    {
        string savepoint = CheckpointStorage.CreateSavepointDirectory(_directory.File("savepoints"));
        string own = CheckpointStorage.CreateFilePath(savepoint, "keyed");
        File.WriteAllBytes(own, [1]);
        var handle = CheckpointStorage.HandleFor(savepoint, own, 1);
        var outside = new StateFileHandle("../shared/x", 1);

        var e = Assert.Throws<ArgumentException>(() => CheckpointStorage.WriteMetadata(savepoint, WithHandles(1, CheckpointKind.Savepoint, handle, outside)));
        Assert.Contains("../shared/x", e.Message);

        CheckpointStorage.WriteMetadata(savepoint, WithHandles(1, CheckpointKind.Savepoint, handle));
        Assert.StartsWith("savepoint-", Path.GetFileName(savepoint));
        CheckpointStorage.Verify(savepoint, CheckpointStorage.ReadMetadata(savepoint));
    }

    [Fact]
    public void Verify_reports_a_missing_or_resized_file_by_path()
    {
        string directory = _storage.CheckpointDirectory(6);
        string present = _storage.CreateExclusiveFilePath(6, "present");
        File.WriteAllBytes(present, new byte[10]);
        string absent = _storage.CreateSharedFilePath(6, "absent");

        var missing = Assert.Throws<CheckpointCorruptedException>(() =>
            CheckpointStorage.Verify(directory, WithHandles(6, CheckpointKind.Checkpoint, CheckpointStorage.HandleFor(directory, present, 10), CheckpointStorage.HandleFor(directory, absent, 3))));
        Assert.Equal(absent, missing.FilePath);
        Assert.Equal("missing", missing.Problem);

        var truncated = Assert.Throws<CheckpointCorruptedException>(() =>
            CheckpointStorage.Verify(directory, WithHandles(6, CheckpointKind.Checkpoint, CheckpointStorage.HandleFor(directory, present, 12))));
        Assert.Equal("truncated: 10 bytes, expected 12", truncated.Problem);
        Assert.Contains(present, truncated.Message);
    }

    [Fact]
    public void Syncing_a_directory_fails_loudly_for_a_missing_one()
    {
        Directory.CreateDirectory(_storage.Root);
        DirectorySync.Flush(_storage.Root);

        var e = Assert.Throws<IOException>(() => DirectorySync.Flush(_directory.File("absent")));
        Assert.Contains("absent", e.Message);
    }

    internal static CheckpointMetadata WithHandles(long id, CheckpointKind kind, params StateFileHandle[] handles) =>
        new(id, 1_700_000_000_000 + id, kind,
        [
            new OperatorStateMetadata("op", "Map", 1, 128,
                [new OperatorSubtaskStateMetadata(0, new KeyGroupRange(0, 127), handles, null)]),
        ]);

    private static CheckpointMetadata Sample(long id, CheckpointStorage storage) =>
        WithHandles(id, CheckpointKind.Checkpoint,
            CheckpointStorage.HandleFor(storage.CheckpointDirectory(id), Path.Combine(storage.SharedDirectory, "base"), 100),
            new StateFileHandle("operator-state", 7));

    internal static void AssertEqual(CheckpointMetadata expected, CheckpointMetadata actual)
    {
        // The records hold lists, which compare by reference; compare their contents.
        Assert.Equal((expected.CheckpointId, expected.TimestampMilliseconds, expected.Kind), (actual.CheckpointId, actual.TimestampMilliseconds, actual.Kind));
        Assert.Equal(expected.Operators.Count, actual.Operators.Count);
        foreach ((OperatorStateMetadata e, OperatorStateMetadata a) in expected.Operators.Zip(actual.Operators))
        {
            Assert.Equal((e.OperatorId, e.Name, e.Parallelism, e.MaxParallelism), (a.OperatorId, a.Name, a.Parallelism, a.MaxParallelism));
            Assert.Equal(e.Subtasks.Count, a.Subtasks.Count);
            foreach ((OperatorSubtaskStateMetadata es, OperatorSubtaskStateMetadata sa) in e.Subtasks.Zip(a.Subtasks))
            {
                Assert.Equal((es.Subtask, es.KeyGroups, es.OperatorState), (sa.Subtask, sa.KeyGroups, sa.OperatorState));
                Assert.Equal(es.KeyedState, sa.KeyedState);
            }
        }
    }
}
