using System.Globalization;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// The on-disk layout of one job's checkpoints under a configured root directory:
/// <code>
/// &lt;root&gt;/chk-&lt;N&gt;/_metadata        written last, atomically: its presence makes checkpoint N complete
/// &lt;root&gt;/chk-&lt;N&gt;/&lt;file&gt;           state only checkpoint N uses
/// &lt;root&gt;/shared/&lt;N&gt;-&lt;hint&gt;-&lt;guid&gt;  state later (incremental) checkpoints may reference; N is the creating checkpoint
/// &lt;savepointDir&gt;/savepoint-&lt;id&gt;/_metadata and its files, self-contained
/// </code>
/// Handles in the metadata are relative to the metadata's directory (<c>../shared/…</c> for shared files), so a root
/// can be moved or copied as a whole.
/// </summary>
internal sealed class CheckpointStorage
{
    public const string MetadataFileName = "_metadata";
    public const string SharedDirectoryName = "shared";
    private const string CheckpointDirectoryPrefix = "chk-";
    private const string SavepointDirectoryPrefix = "savepoint-";
    private const string TemporarySuffix = ".tmp";

    public CheckpointStorage(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        SharedDirectory = Path.Combine(Root, SharedDirectoryName);
    }

    /// <summary>The job's checkpoint directory, as a full path.</summary>
    public string Root { get; }

    /// <summary><c>&lt;root&gt;/shared</c>: files several checkpoints may reference.</summary>
    public string SharedDirectory { get; }

    /// <summary><c>&lt;root&gt;/chk-&lt;N&gt;</c> (not created).</summary>
    public string CheckpointDirectory(long checkpointId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkpointId);
        return Path.Combine(Root, CheckpointDirectoryPrefix + checkpointId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A new, unique path in <c>chk-&lt;N&gt;</c> for state only checkpoint N uses; creates the directory.</summary>
    public string CreateExclusiveFilePath(long checkpointId, string nameHint) =>
        CreateFilePath(CheckpointDirectory(checkpointId), nameHint);

    /// <summary>
    /// A new, unique path in <c>shared/</c> for state later checkpoints may reference; creates the directory. The name
    /// starts with the creating checkpoint's id so <see cref="CompletedCheckpointStore.DiscardPending"/> can find the
    /// files of a checkpoint that failed, including those of tasks that never acknowledged.
    /// </summary>
    public string CreateSharedFilePath(long checkpointId, string nameHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkpointId);
        Directory.CreateDirectory(SharedDirectory);
        return Path.Combine(SharedDirectory, checkpointId.ToString(CultureInfo.InvariantCulture) + "-" + UniqueName(nameHint));
    }

    /// <summary>Whether <paramref name="path"/> is a file in <c>shared/</c>.</summary>
    public bool IsSharedFile(string path) =>
        string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), SharedDirectory, StringComparison.Ordinal);

    /// <summary>The shared files <paramref name="checkpointId"/> created (by their name), whether referenced or not.</summary>
    public IEnumerable<string> SharedFilesCreatedBy(long checkpointId)
    {
        if (!Directory.Exists(SharedDirectory))
            return [];
        string prefix = checkpointId.ToString(CultureInfo.InvariantCulture) + "-";
        return Directory.EnumerateFiles(SharedDirectory, prefix + "*");
    }

    /// <summary>
    /// The <c>chk-N</c> directories that hold a <c>_metadata</c> file, newest first. Directories without one belong to
    /// checkpoints that never completed.
    /// </summary>
    public IReadOnlyList<(long Id, string Directory)> FindCompletedCheckpoints() =>
        FindCheckpointDirectories().Where(c => File.Exists(Path.Combine(c.Directory, MetadataFileName))).ToList();

    /// <summary>
    /// Deletes the directories of checkpoints that never completed (no <c>_metadata</c>) and leftover temporary metadata
    /// files. Only call it while no checkpoint is in flight, i.e. before the first is triggered.
    /// </summary>
    public void Cleanup()
    {
        foreach ((_, string directory) in FindCheckpointDirectories())
        {
            if (File.Exists(Path.Combine(directory, MetadataFileName)))
            {
                foreach (string temporary in Directory.EnumerateFiles(directory, MetadataFileName + ".*" + TemporarySuffix))
                    File.Delete(temporary);
            }
            else
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Creates <c>&lt;savepointRoot&gt;/savepoint-&lt;id&gt;</c> with a fresh short id and returns it.</summary>
    public static string CreateSavepointDirectory(string savepointRoot)
    {
        string directory = Path.Combine(Path.GetFullPath(savepointRoot), SavepointDirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A new, unique path in <paramref name="directory"/> (created if needed), e.g. for a savepoint's files.</summary>
    public static string CreateFilePath(string directory, string nameHint)
    {
        Directory.CreateDirectory(directory);
        return Path.Combine(Path.GetFullPath(directory), UniqueName(nameHint));
    }

    /// <summary>The handle of <paramref name="path"/> as recorded in the metadata in <paramref name="metadataDirectory"/>.</summary>
    public static StateFileHandle HandleFor(string metadataDirectory, string path, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        string relative = Path.GetRelativePath(Path.GetFullPath(metadataDirectory), Path.GetFullPath(path));
        if (Path.IsPathRooted(relative))
            throw new ArgumentException($"'{path}' cannot be reached relative to '{metadataDirectory}'.", nameof(path));
        return new StateFileHandle(relative.Replace(Path.DirectorySeparatorChar, '/'), size);
    }

    /// <summary>The full path of a <paramref name="handle"/> of the metadata in <paramref name="metadataDirectory"/>.</summary>
    public static string ResolvePath(string metadataDirectory, StateFileHandle handle) =>
        Path.GetFullPath(Path.Combine(metadataDirectory, handle.RelativePath.Replace('/', Path.DirectorySeparatorChar)));

    /// <summary>
    /// Writes <c>_metadata</c> into <paramref name="metadataDirectory"/> atomically: to a temporary file, fsynced, then
    /// renamed, and the directory synced. Readers see either no metadata (the checkpoint is incomplete) or all of it.
    /// Fails if it exists already.
    /// </summary>
    public static void WriteMetadata(string metadataDirectory, CheckpointMetadata metadata)
    {
        foreach (StateFileHandle handle in Handles(metadata))
        {
            if (Path.IsPathRooted(handle.RelativePath))
                throw new ArgumentException($"The state file path '{handle.RelativePath}' must be relative to the metadata directory.", nameof(metadata));
            if (metadata.Kind == CheckpointKind.Savepoint && (handle.RelativePath == ".." || handle.RelativePath.StartsWith("../", StringComparison.Ordinal)))
                throw new ArgumentException($"A savepoint must be self-contained, but it references '{handle.RelativePath}' outside its directory.", nameof(metadata));
        }

        byte[] bytes = CheckpointMetadataSerializer.Serialize(metadata);
        Directory.CreateDirectory(metadataDirectory);
        string target = Path.Combine(metadataDirectory, MetadataFileName);
        string temporary = Path.Combine(metadataDirectory, MetadataFileName + "." + Guid.NewGuid().ToString("N") + TemporarySuffix);
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: false);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        // The rename is atomic; syncing the directory makes it durable before older checkpoints are subsumed.
        DirectorySync.Flush(metadataDirectory);
    }

    /// <summary>
    /// Reads the metadata of a checkpoint or savepoint, given its directory or its <c>_metadata</c> file. A missing or
    /// damaged file throws <see cref="CheckpointCorruptedException"/> naming it.
    /// </summary>
    public static CheckpointMetadata ReadMetadata(string metadataDirectoryOrFile)
    {
        string path = MetadataFileOf(metadataDirectoryOrFile);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointCorruptedException(path, "missing", e);
        }

        return CheckpointMetadataSerializer.Deserialize(bytes, path);
    }

    /// <summary>The directory handles are relative to, given a metadata directory or its <c>_metadata</c> file.</summary>
    public static string MetadataDirectoryOf(string metadataDirectoryOrFile) =>
        Path.GetDirectoryName(MetadataFileOf(metadataDirectoryOrFile))!;

    /// <summary>
    /// Checks that every file <paramref name="metadata"/> references exists with its recorded size, a cheap check before
    /// recovery starts; blocks are checksummed when the files are read.
    /// </summary>
    public static void Verify(string metadataDirectory, CheckpointMetadata metadata)
    {
        foreach (StateFileHandle handle in Handles(metadata))
        {
            string path = ResolvePath(metadataDirectory, handle);
            var file = new FileInfo(path);
            if (!file.Exists)
                throw new CheckpointCorruptedException(path, "missing");
            if (file.Length != handle.Size)
            {
                throw new CheckpointCorruptedException(path, file.Length < handle.Size
                    ? $"truncated: {file.Length} bytes, expected {handle.Size}"
                    : $"{file.Length} bytes, expected {handle.Size}");
            }
        }
    }

    /// <summary>Every file handle in <paramref name="metadata"/>: keyed-state chains and operator state.</summary>
    public static IEnumerable<StateFileHandle> Handles(CheckpointMetadata metadata)
    {
        foreach (OperatorStateMetadata op in metadata.Operators)
        {
            foreach (OperatorSubtaskStateMetadata subtask in op.Subtasks)
            {
                foreach (StateFileHandle handle in subtask.KeyedState)
                    yield return handle;
                if (subtask.OperatorState is not null)
                    yield return subtask.OperatorState;
            }
        }
    }

    private static string MetadataFileOf(string metadataDirectoryOrFile)
    {
        string full = Path.GetFullPath(metadataDirectoryOrFile);
        return Directory.Exists(full) ? Path.Combine(full, MetadataFileName) : full;
    }

    private IEnumerable<(long Id, string Directory)> FindCheckpointDirectories()
    {
        if (!Directory.Exists(Root))
            return [];
        var found = new List<(long Id, string Directory)>();
        foreach (string directory in Directory.EnumerateDirectories(Root, CheckpointDirectoryPrefix + "*"))
        {
            string suffix = Path.GetFileName(directory)[CheckpointDirectoryPrefix.Length..];
            if (suffix.Length > 0 && suffix.All(char.IsAsciiDigit) && long.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                found.Add((id, directory));
        }

        found.Sort((a, b) => b.Id.CompareTo(a.Id));
        return found;
    }

    private static string UniqueName(string nameHint)
    {
        Span<char> hint = stackalloc char[Math.Min(nameHint.Length, 64)];
        for (int i = 0; i < hint.Length; i++)
        {
            char c = nameHint[i];
            hint[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_';
        }

        string prefix = hint.IsEmpty ? "state" : hint.ToString();
        return prefix + "-" + Guid.NewGuid().ToString("N");
    }
}
