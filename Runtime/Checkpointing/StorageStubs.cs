// TEMPORARY: stands in for the storage branch until it merges (plain files, text metadata).
using System.Text.Json;

namespace DataflowCompiler.Checkpointing.Storage;

internal sealed class CheckpointStorage(string root)
{
    public string Root { get; } = root;

    public string CheckpointDirectory(long id) => Path.Combine(Root, $"chk-{id}");

    public string CreateExclusiveFilePath(long checkpointId, string nameHint)
    {
        var dir = CheckpointDirectory(checkpointId);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"{nameHint}-{Guid.NewGuid():N}");
    }

    public string CreateSharedFilePath(string nameHint)
    {
        var dir = Path.Combine(Root, "shared");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"{nameHint}-{Guid.NewGuid():N}");
    }

    public static StateFileHandle HandleFor(string metadataDirectory, string path, long size) =>
        new(Path.GetRelativePath(metadataDirectory, path), size);

    public static void WriteMetadata(string metadataDirectory, CheckpointMetadata metadata)
    {
        Directory.CreateDirectory(metadataDirectory);
        File.WriteAllText(Path.Combine(metadataDirectory, "_metadata"), JsonSerializer.Serialize(metadata));
    }

    public static CheckpointMetadata ReadMetadata(string metadataDirectoryOrFile)
    {
        var file = File.Exists(metadataDirectoryOrFile) ? metadataDirectoryOrFile : Path.Combine(metadataDirectoryOrFile, "_metadata");
        if (!File.Exists(file))
        {
            throw new CheckpointCorruptedException($"{file}: missing");
        }
        return JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(file))!;
    }
}

internal sealed class CompletedCheckpointStore(CheckpointStorage storage, int retained)
{
    private readonly List<(CheckpointMetadata Metadata, string Directory)> _completed = new();

    public void Add(CheckpointMetadata metadata, string directory)
    {
        lock (_completed)
        {
            _completed.Insert(0, (metadata, directory));
            while (_completed.Count > retained)
            {
                _completed.RemoveAt(_completed.Count - 1);
            }
        }
    }

    public void DiscardPending(long checkpointId)
    {
        var dir = storage.CheckpointDirectory(checkpointId);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public bool TryLoadLatest(out CheckpointMetadata metadata, out string directory, List<string> problems)
    {
        lock (_completed)
        {
            foreach (var (m, d) in _completed)
            {
                metadata = m;
                directory = d;
                return true;
            }
        }
        metadata = null!;
        directory = null!;
        return false;
    }
}

internal static class SnapshotFile
{
    public static Stream CreateWriter(string path) => new FileStream(path, FileMode.CreateNew, FileAccess.Write);

    public static Stream OpenReader(string path, long expectedSize) => new FileStream(path, FileMode.Open, FileAccess.Read);
}
