namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// Keeps the last <see cref="Retained"/> completed checkpoints of a job and the reference counts of the shared files
/// they use. Completing a checkpoint writes its metadata, registers its shared files and subsumes the oldest
/// checkpoint beyond the retained number: its directory goes, and so do the shared files no retained checkpoint
/// references any more. Thread-safe: the checkpoint coordinator calls it from timer and acknowledgement threads.
/// </summary>
/// <remarks>
/// Constructed over an existing root (after a restart, or for a job started from a retained checkpoint), the store
/// deletes incomplete checkpoint directories and rebuilds the reference counts from the metadata it finds, so it must
/// be constructed before the first checkpoint is triggered. Checkpoints whose metadata cannot be read are left on disk
/// and listed in <see cref="RecoveryProblems"/>; the shared files only they reference are not counted.
/// A file that cannot be deleted does not fail the checkpoint that subsumed it; it is listed in
/// <see cref="CleanupFailures"/> instead.
/// </remarks>
internal sealed class CompletedCheckpointStore
{
    private readonly Lock _lock = new();
    private readonly CheckpointStorage _storage;
    private readonly SharedStateRegistry _registry = new();
    private readonly List<CompletedCheckpoint> _checkpoints = []; // newest first
    private readonly List<string> _recoveryProblems = [];
    private readonly List<string> _cleanupFailures = [];
    private long _highestCheckpointId = -1;

    public CompletedCheckpointStore(CheckpointStorage storage, int retained)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfLessThan(retained, 1);
        _storage = storage;
        Retained = retained;

        storage.Cleanup();
        foreach ((long id, string directory) in storage.FindCompletedCheckpoints())
        {
            _highestCheckpointId = Math.Max(_highestCheckpointId, id);
            try
            {
                CheckpointMetadata metadata = CheckpointStorage.ReadMetadata(directory);
                if (metadata.CheckpointId != id)
                    throw new CheckpointCorruptedException(Path.Combine(directory, CheckpointStorage.MetadataFileName), $"records checkpoint {metadata.CheckpointId} in the directory of checkpoint {id}");
                _checkpoints.Add(new CompletedCheckpoint(metadata, directory));
                _registry.Register(SharedFiles(directory, metadata));
            }
            catch (CheckpointCorruptedException e)
            {
                _recoveryProblems.Add($"Checkpoint {id} in '{directory}' cannot be used: {e.Message}");
            }
        }

        // More than Retained may be on disk (a smaller setting than the last run's); the next completion subsumes them.
    }

    /// <summary>How many completed checkpoints are kept.</summary>
    public int Retained { get; }

    /// <summary>How many retained checkpoints reference the shared file <paramref name="path"/> (a full path).</summary>
    public int SharedReferenceCount(string path)
    {
        lock (_lock)
            return _registry.ReferenceCount(path);
    }

    /// <summary>The retained checkpoints, newest first.</summary>
    public IReadOnlyList<CompletedCheckpoint> Checkpoints
    {
        get
        {
            lock (_lock)
                return _checkpoints.ToArray();
        }
    }

    /// <summary>The newest checkpoint id seen on disk or completed, or -1: the next checkpoint's id must be larger.</summary>
    public long HighestCheckpointId
    {
        get
        {
            lock (_lock)
                return _highestCheckpointId;
        }
    }

    /// <summary>Completed checkpoints found on start whose metadata could not be read, each naming its path.</summary>
    public IReadOnlyList<string> RecoveryProblems
    {
        get
        {
            lock (_lock)
                return _recoveryProblems.ToArray();
        }
    }

    /// <summary>Files and directories that could not be deleted when they were no longer needed.</summary>
    public IReadOnlyList<string> CleanupFailures
    {
        get
        {
            lock (_lock)
                return _cleanupFailures.ToArray();
        }
    }

    /// <summary>
    /// Completes a checkpoint: writes its metadata atomically into <c>chk-N</c>, registers the shared files it
    /// references and subsumes the checkpoints beyond <see cref="Retained"/>. Returns the completed checkpoint.
    /// </summary>
    public CompletedCheckpoint AddCompleted(CheckpointMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Kind != CheckpointKind.Checkpoint)
            throw new ArgumentException($"Savepoint {metadata.CheckpointId} is self-contained and not retained with checkpoints.", nameof(metadata));

        lock (_lock)
        {
            if (_checkpoints.Exists(c => c.CheckpointId == metadata.CheckpointId))
                throw new InvalidOperationException($"Checkpoint {metadata.CheckpointId} is already completed.");
            string directory = _storage.CheckpointDirectory(metadata.CheckpointId);
            // The tasks fsynced their files; the entries of new shared files must be durable before metadata names them.
            if (Directory.Exists(_storage.SharedDirectory))
                DirectorySync.Flush(_storage.SharedDirectory);
            CheckpointStorage.WriteMetadata(directory, metadata);

            var completed = new CompletedCheckpoint(metadata, directory);
            _registry.Register(SharedFiles(directory, metadata));
            int index = _checkpoints.FindIndex(c => c.CheckpointId < metadata.CheckpointId);
            _checkpoints.Insert(index < 0 ? _checkpoints.Count : index, completed);
            _highestCheckpointId = Math.Max(_highestCheckpointId, metadata.CheckpointId);

            while (_checkpoints.Count > Retained)
            {
                CompletedCheckpoint oldest = _checkpoints[^1];
                _checkpoints.RemoveAt(_checkpoints.Count - 1);
                Subsume(oldest);
            }

            return completed;
        }
    }

    /// <summary>
    /// Removes what a checkpoint that failed or was aborted left behind: its <c>chk-N</c> directory and the shared
    /// files it created that no retained checkpoint references.
    /// </summary>
    public void DiscardPending(long checkpointId)
    {
        lock (_lock)
        {
            if (_checkpoints.Exists(c => c.CheckpointId == checkpointId))
                throw new InvalidOperationException($"Checkpoint {checkpointId} is completed; only pending checkpoints are discarded.");
            TryDeleteDirectory(_storage.CheckpointDirectory(checkpointId));
            foreach (string file in _storage.SharedFilesCreatedBy(checkpointId).ToList())
            {
                if (_registry.ReferenceCount(file) == 0)
                    TryDeleteFile(file);
            }
        }
    }

    /// <summary>
    /// Finds the newest completed checkpoint on disk whose metadata reads and whose files are all present with their
    /// recorded sizes. Each newer checkpoint that fails is reported in <paramref name="problems"/> with its path, and
    /// the one before it is tried. Returns false when none is usable. Checkpoints in <paramref name="skip"/> (full
    /// directory paths; found corrupted by an earlier restore) are passed over silently.
    /// </summary>
    public bool TryLoadLatest(out CheckpointMetadata? metadata, out string? directory, List<string> problems, IReadOnlySet<string>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(problems);
        foreach ((long id, string candidate) in _storage.FindCompletedCheckpoints())
        {
            if (skip is not null && skip.Contains(Path.GetFullPath(candidate)))
                continue;
            try
            {
                CheckpointMetadata read = CheckpointStorage.ReadMetadata(candidate);
                CheckpointStorage.Verify(candidate, read);
                metadata = read;
                directory = candidate;
                return true;
            }
            catch (CheckpointCorruptedException e)
            {
                problems.Add($"Checkpoint {id} in '{candidate}' cannot be restored: {e.Message}");
            }
        }

        metadata = null;
        directory = null;
        return false;
    }

    private void Subsume(CompletedCheckpoint checkpoint)
    {
        // Metadata first: once it is gone the checkpoint no longer counts as completed, so a crash part-way through
        // leaves unreferenced files at worst, never a checkpoint that references deleted ones.
        TryDeleteFile(Path.Combine(checkpoint.Directory, CheckpointStorage.MetadataFileName));
        TryDeleteDirectory(checkpoint.Directory);
        foreach (string file in _registry.Unregister(SharedFiles(checkpoint.Directory, checkpoint.Metadata)))
            TryDeleteFile(file);
    }

    private HashSet<string> SharedFiles(string directory, CheckpointMetadata metadata)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (StateFileHandle handle in CheckpointStorage.Handles(metadata))
        {
            string path = CheckpointStorage.ResolvePath(directory, handle);
            if (_storage.IsSharedFile(path))
                files.Add(path);
        }

        return files;
    }

    private void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _cleanupFailures.Add($"'{path}': {e.Message}");
        }
    }

    private void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _cleanupFailures.Add($"'{path}': {e.Message}");
        }
    }
}
