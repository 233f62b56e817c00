using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// The checkpoint side of one task: writes what the synchronous phase captured on a background thread
/// (the asynchronous phase) into the checkpoint's files, acknowledges to the coordinator, and keeps the chain of
/// keyed-state files each operator's next incremental checkpoint builds on.
/// </summary>
internal sealed class TaskCheckpointing
{
    private readonly ICheckpointAcknowledger _coordinator;
    private readonly CheckpointStorage _storage;
    private readonly CheckpointingOptions _options;
    private readonly IReadOnlyDictionary<string, OperatorIdentity> _operators;
    private readonly object _lock = new();
    private readonly Dictionary<long, Dictionary<string, IReadOnlyList<StateFileHandle>>> _written = new();
    private Dictionary<string, IReadOnlyList<StateFileHandle>> _confirmed = new();
    private readonly List<Task> _asyncParts = new();
    private readonly HashSet<long> _abortedAhead = new(); // task thread only

    public TaskCheckpointing(int taskIndex, string taskName, int subtask, ICheckpointAcknowledger coordinator, CheckpointStorage storage,
        CheckpointingOptions options, IReadOnlyDictionary<string, OperatorIdentity> operators)
    {
        TaskIndex = taskIndex;
        TaskName = taskName;
        Subtask = subtask;
        _coordinator = coordinator;
        _storage = storage;
        _options = options;
        _operators = operators;
    }

    public int TaskIndex { get; }
    public string TaskName { get; }
    public int Subtask { get; }
    public CheckpointingMode Mode => _options.Mode;

    /// <summary>Barriers overtake in-flight data, which is stored with the checkpoint.</summary>
    public bool Unaligned => _options.Unaligned;

    /// <summary>With periodic checkpoints a task stays after the end of its input until the final checkpoint completes.</summary>
    public bool WaitsForFinalCheckpoint => _options.IsEnabled;

    /// <summary>The newest checkpoint this task snapshotted.</summary>
    public long LastTriggered { get; private set; } = -1;

    /// <summary>Whether operator <paramref name="operatorId"/> should take an incremental snapshot for <paramref name="barrier"/>.</summary>
    public bool WantsIncremental(CheckpointBarrier barrier, string operatorId) =>
        _options.Incremental && !barrier.IsSavepoint
        && _confirmed.TryGetValue(operatorId, out var chain) && chain.Count < _options.MaxIncrementalChain;

    /// <summary>Starts the asynchronous phase of <paramref name="barrier"/> for what the operators captured.</summary>
    public void StartAsyncPart(CheckpointBarrier barrier, IReadOnlyList<OperatorSnapshot> snapshots, Task<byte[]>? channelInput = null)
    {
        LastTriggered = barrier.CheckpointId;
        var bases = snapshots.ToDictionary(s => s.OperatorId, s => s.Keyed is { IsIncremental: true } && _confirmed.TryGetValue(s.OperatorId, out var chain)
            ? chain : (IReadOnlyList<StateFileHandle>)Array.Empty<StateFileHandle>());
        var asyncPart = Task.Run(async () =>
        {
            try
            {
                if (channelInput is not null)
                {
                    // Unaligned: the in-flight input is complete once every channel delivered the barrier.
                    byte[] input = await channelInput.ConfigureAwait(false);
                    snapshots[0].Sections[ChannelState.InputSection] = input;
                }
                var states = Write(barrier, snapshots, bases);
                _coordinator.Acknowledge(TaskIndex, barrier.CheckpointId, states);
            }
            catch (Exception e)
            {
                Decline(barrier.CheckpointId, e);
            }
            finally
            {
                foreach (var snapshot in snapshots)
                {
                    snapshot.Keyed?.Release();
                }
            }
        });
        lock (_lock)
        {
            _asyncParts.RemoveAll(static t => t.IsCompleted);
            _asyncParts.Add(asyncPart);
        }
    }

    /// <summary>Completes when every asynchronous part started so far has written (or given up): an ending attempt waits for it.</summary>
    public Task AsyncPartsDone()
    {
        lock (_lock)
        {
            return Task.WhenAll(_asyncParts);
        }
    }

    public void Decline(long checkpointId, Exception reason) => _coordinator.Decline(TaskIndex, checkpointId, reason is CheckpointSubsumedException
        ? reason
        : new CheckpointException($"task '{TaskName}' could not complete checkpoint {checkpointId}: {reason.Message}", reason));

    /// <summary>The coordinator may trigger the final checkpoint once every source reported this.</summary>
    public void ReportEndOfInput() => _coordinator.ReportEndOfInput(TaskIndex);

    public void NotifyComplete(long checkpointId)
    {
        lock (_lock)
        {
            if (_written.TryGetValue(checkpointId, out var chains))
            {
                _confirmed = chains;
            }
            foreach (var id in _written.Keys.Where(id => id <= checkpointId).ToList())
            {
                _written.Remove(id);
            }
        }
    }

    public void NotifyAborted(long checkpointId)
    {
        lock (_lock)
        {
            _written.Remove(checkpointId);
        }
        if (checkpointId > LastTriggered)
        {
            // Its barrier has not reached this task yet: when it does, the task forwards it but takes no snapshot.
            _abortedAhead.Add(checkpointId);
        }
    }

    /// <summary>Whether the coordinator aborted <paramref name="checkpointId"/> before its barrier reached this task (task thread).</summary>
    public bool WasAbortedAhead(long checkpointId)
    {
        _abortedAhead.RemoveWhere(id => id < checkpointId);
        return _abortedAhead.Remove(checkpointId);
    }

    private List<AcknowledgedOperatorState> Write(CheckpointBarrier barrier, IReadOnlyList<OperatorSnapshot> snapshots,
        Dictionary<string, IReadOnlyList<StateFileHandle>> bases)
    {
        string metadataDirectory = barrier.IsSavepoint ? barrier.TargetDirectory! : _storage.CheckpointDirectory(barrier.CheckpointId);
        Directory.CreateDirectory(metadataDirectory);
        var states = new List<AcknowledgedOperatorState>(snapshots.Count);
        var chains = new Dictionary<string, IReadOnlyList<StateFileHandle>>();
        foreach (var snapshot in snapshots)
        {
            var identity = _operators[snapshot.OperatorId];
            string hint = $"{Sanitize(snapshot.OperatorId)}-{Subtask}";
            var keyed = new List<StateFileHandle>();
            if (snapshot.Keyed is { } keyedSnapshot)
            {
                keyed.AddRange(bases[snapshot.OperatorId]);
                string path = barrier.IsSavepoint
                    ? CheckpointStorage.CreateFilePath(metadataDirectory, $"{hint}-keyed")
                    : _storage.CreateSharedFilePath(barrier.CheckpointId, $"{hint}-keyed");
                keyed.Add(WriteFile(metadataDirectory, path, keyedSnapshot.WriteTo));
                chains[snapshot.OperatorId] = keyed;
            }
            StateFileHandle? operatorState = null;
            if (snapshot.Sections.Count > 0)
            {
                string path = barrier.IsSavepoint
                    ? CheckpointStorage.CreateFilePath(metadataDirectory, $"{hint}-operator")
                    : _storage.CreateExclusiveFilePath(barrier.CheckpointId, $"{hint}-operator");
                operatorState = WriteFile(metadataDirectory, path, stream => SnapshotSections.Write(stream, snapshot.Sections));
            }
            states.Add(new AcknowledgedOperatorState(identity, new OperatorSubtaskStateMetadata(Subtask, identity.KeyGroups, keyed, operatorState)));
        }
        if (!barrier.IsSavepoint)
        {
            lock (_lock)
            {
                _written[barrier.CheckpointId] = chains;
            }
        }
        return states;
    }

    private static StateFileHandle WriteFile(string metadataDirectory, string path, Action<Stream> write)
    {
        long size;
        using (var stream = new SnapshotFileWriter(path))
        {
            write(stream);
            stream.Finish();
            size = stream.Length;
        }
        return CheckpointStorage.HandleFor(metadataDirectory, path, size);
    }

    private static string Sanitize(string id) => string.Concat(id.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'));
}

/// <summary>Who an operator is in checkpoints: its id, name, parallelism, max parallelism and this subtask's key groups.</summary>
internal sealed record OperatorIdentity(string OperatorId, string Name, int Parallelism, int MaxParallelism, KeyGroupRange KeyGroups);

/// <summary>One operator subtask's part of an acknowledgement.</summary>
internal sealed record AcknowledgedOperatorState(OperatorIdentity Operator, OperatorSubtaskStateMetadata State);

/// <summary>The coordinator, as the tasks see it.</summary>
internal interface ICheckpointAcknowledger
{
    void Acknowledge(int taskIndex, long checkpointId, IReadOnlyList<AcknowledgedOperatorState> states);

    void Decline(int taskIndex, long checkpointId, Exception reason);

    void ReportEndOfInput(int taskIndex);
}
