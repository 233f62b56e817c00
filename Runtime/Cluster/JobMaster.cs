using System.Diagnostics;
using DataflowCompiler.Checkpointing;
using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.Graph;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Network;
using DataflowCompiler.Recovery;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Cluster;

/// <summary>
/// Runs one job: expands the job graph into subtasks (the execution graph), creates their result
/// partitions and input gates and connects them, starts one thread per subtask, and ends the job
/// when all subtasks finished, one failed (cancelling the rest), or the user cancelled. Every
/// network and managed memory segment is back in its pool when the job's completion fires.
/// <para>
/// A failure ends the current attempt; the restart strategy decides whether, and after which delay, a new
/// attempt deploys every task again, restored from the latest completed checkpoint (falling back to an older
/// one when the latest cannot be read), or from the savepoint the job started from.
/// </para>
/// </summary>
internal sealed class JobMaster
{
    private readonly JobGraph _jobGraph;
    private readonly StreamConfiguration _configuration;
    private readonly SerializerRegistry _serializers;
    private readonly TaskManager _taskManager;
    private readonly CancellationTokenSource _jobCancellation = new();
    private readonly TaskCompletionSource<JobExecutionResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _runtime = new();
    private readonly object _lock = new();
    private readonly CheckpointStorage _storage;
    private readonly CompletedCheckpointStore _store;
    private readonly IRestartBackoff _restartBackoff;
    private int _status = (int)JobStatus.Created;
    private readonly List<string> _recoveryProblems = new();
    private readonly HashSet<string> _unusableCheckpoints = new(StringComparer.Ordinal);
    private Attempt? _attempt;
    private long _nextCheckpointId = 1;
    private int _completedCheckpoints; // checkpoints and savepoints completed (and committed) in every attempt so far

    public JobMaster(JobGraph jobGraph, StreamConfiguration configuration, SerializerRegistry serializers, TaskManager taskManager)
    {
        _jobGraph = jobGraph;
        _configuration = configuration;
        _serializers = serializers;
        _taskManager = taskManager;
        var checkpointing = configuration.Checkpointing;
        // As in Flink, every job has its own directory under the configured one: <dir>/<job id>/chk-N.
        _storage = new CheckpointStorage(Path.Combine(checkpointing.Directory ?? Path.Combine(Path.GetTempPath(), "dataflow-checkpoints"), jobGraph.JobId.ToString("N")));
        _store = new CompletedCheckpointStore(_storage, checkpointing.RetainedCheckpoints);
        _restartBackoff = RestartStrategy.ForJob(configuration.RestartStrategy, checkpointing.IsEnabled).CreateBackoff();
    }

    public Guid JobId => _jobGraph.JobId;
    public string JobName => _jobGraph.Name;
    public JobStatus Status => (JobStatus)Volatile.Read(ref _status);
    public Task<JobExecutionResult> Completion => _completion.Task;

    /// <summary>The subtasks of the current attempt.</summary>
    internal IReadOnlyList<StreamTask> Tasks => _attempt?.Tasks ?? [];

    /// <summary>How many times the job restarted after a failure.</summary>
    public int Restarts { get; private set; }

    /// <summary>
    /// Checkpoints recovery could not use, each naming the checkpoint, the file and the problem (also written to
    /// <see cref="Trace"/>).
    /// </summary>
    public IReadOnlyList<string> RecoveryProblems
    {
        get
        {
            lock (_lock)
            {
                return _recoveryProblems.ToArray();
            }
        }
    }

    /// <summary>The checkpoint coordinator of the current attempt (tests trigger checkpoints through it).</summary>
    internal CheckpointCoordinator? Coordinator => _attempt?.Coordinator;

    /// <summary>The directory of this job's checkpoints.</summary>
    internal string CheckpointDirectory => _storage.Root;

    public void Start()
    {
        CheckpointMetadata? restore = null;
        string? restoreDirectory = null;
        try
        {
            if (_configuration.SavepointRestore is { } settings)
            {
                restore = CheckpointStorage.ReadMetadata(settings.Path);
                restoreDirectory = File.Exists(settings.Path) ? Path.GetDirectoryName(Path.GetFullPath(settings.Path))! : Path.GetFullPath(settings.Path);
                _nextCheckpointId = restore.CheckpointId + 1;
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _status, (int)JobStatus.Failed);
            _completion.SetException(new JobExecutionException(JobId, JobName, e, $"it could not read the savepoint '{_configuration.SavepointRestore!.Path}': {e.Message}"));
            return;
        }
        _runtime.Start();
        _ = RunAsync(restore, restoreDirectory);
    }

    public void Cancel()
    {
        var status = Status;
        if (status is JobStatus.Running or JobStatus.Restarting or JobStatus.Created
            && Interlocked.CompareExchange(ref _status, (int)JobStatus.Canceling, (int)status) == (int)status)
        {
            _jobCancellation.Cancel();
        }
    }

    public Task<string> TriggerSavepointAsync(string directory, bool stop)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var attempt = _attempt;
        if (attempt is null || Status != JobStatus.Running)
        {
            return Task.FromException<string>(new CheckpointException($"job '{JobName}' is {Status}; savepoints are taken of running jobs."));
        }
        return attempt.Coordinator.TriggerSavepointAsync(directory, stop);
    }

    private async Task RunAsync(CheckpointMetadata? restore, string? restoreDirectory)
    {
        var initialRestore = (restore, restoreDirectory);
        bool fromStore = false;
        while (true)
        {
            Attempt attempt;
            try
            {
                attempt = Deploy(restore, restoreDirectory);
            }
            catch (Exception e) when (fromStore && FindCorruption(e) is { } corruption)
            {
                // The plan reads operator state while deploying: a corrupt file there rules the checkpoint out too.
                MarkUnusable(restore!, restoreDirectory!, corruption);
                (restore, restoreDirectory, fromStore) = LatestCheckpoint(initialRestore);
                continue;
            }
            catch (Exception e)
            {
                Volatile.Write(ref _status, (int)JobStatus.Failed);
                _completion.SetException(new JobExecutionException(JobId, JobName, e, $"it could not be deployed: {e.Message}"));
                return;
            }
            _attempt = attempt;
            if (Interlocked.CompareExchange(ref _status, (int)JobStatus.Running, (int)JobStatus.Created) != (int)JobStatus.Created)
            {
                Interlocked.CompareExchange(ref _status, (int)JobStatus.Running, (int)JobStatus.Restarting);
            }
            if (_jobCancellation.IsCancellationRequested)
            {
                attempt.Cancellation.Cancel();
            }
            attempt.Run();
            await attempt.Ended.ConfigureAwait(false);
            _nextCheckpointId = Math.Max(attempt.Coordinator.NextCheckpointId, _store.HighestCheckpointId + 1);
            _completedCheckpoints += attempt.Coordinator.CompletedCount;

            if (attempt.Failure is null && !attempt.Cancellation.IsCancellationRequested)
            {
                Finish(attempt);
                return;
            }
            if (_jobCancellation.IsCancellationRequested)
            {
                Volatile.Write(ref _status, (int)JobStatus.Canceled);
                _completion.SetCanceled();
                return;
            }
            var failure = attempt.Failure ?? (null!, new InvalidOperationException("the attempt was cancelled without a cause."));
            if (fromStore && FindCorruption(failure.Error) is { } corrupted)
            {
                // Block checksums are checked while the tasks restore: the next attempt must not pick this checkpoint again.
                MarkUnusable(restore!, restoreDirectory!, corrupted);
            }
            if (!_restartBackoff.CanRestart(_configuration.TimeProvider.GetUtcNow(), out var delay))
            {
                Fail(failure);
                return;
            }
            Volatile.Write(ref _status, (int)JobStatus.Restarting);
            Restarts++;
            try
            {
                await Task.Delay(delay, _configuration.TimeProvider, _jobCancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Volatile.Write(ref _status, (int)JobStatus.Canceled);
                _completion.SetCanceled();
                return;
            }
            (restore, restoreDirectory, fromStore) = LatestCheckpoint(initialRestore);
            if (!fromStore && _completedCheckpoints > 0)
            {
                // Checkpoints completed, so sinks may have committed their output: starting over would repeat it.
                Fail((null, new CheckpointException(
                    $"no retained checkpoint of job '{JobName}' in '{_storage.Root}' can be restored ({string.Join("; ", RecoveryProblems)}), " +
                    "and restarting from the beginning would repeat output that completed checkpoints already committed. " +
                    "Restore from a savepoint or an older checkpoint directory with SavepointRestoreSettings.", failure.Error)));
                return;
            }
        }
    }

    /// <summary>The newest usable retained checkpoint, or what the job started from; reports the checkpoints skipped.</summary>
    private (CheckpointMetadata? Restore, string? Directory, bool FromStore) LatestCheckpoint((CheckpointMetadata?, string?) initial)
    {
        var problems = new List<string>();
        HashSet<string> skip;
        lock (_lock)
        {
            skip = [.. _unusableCheckpoints];
        }
        bool found = _store.TryLoadLatest(out var latest, out var latestDirectory, problems, skip);
        foreach (var problem in problems)
        {
            ReportRecoveryProblem(problem);
        }
        return found ? (latest, latestDirectory, true) : (initial.Item1, initial.Item2, false);
    }

    private void MarkUnusable(CheckpointMetadata checkpoint, string directory, CheckpointCorruptedException corruption)
    {
        lock (_lock)
        {
            _unusableCheckpoints.Add(Path.GetFullPath(directory));
        }
        ReportRecoveryProblem($"Checkpoint {checkpoint.CheckpointId} in '{directory}' cannot be restored: {corruption.Message}");
    }

    private void ReportRecoveryProblem(string problem)
    {
        lock (_lock)
        {
            _recoveryProblems.Add(problem);
        }
        Trace.WriteLine($"Job '{JobName}': skipped a checkpoint during recovery: {problem}");
    }

    private static CheckpointCorruptedException? FindCorruption(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is CheckpointCorruptedException corrupted)
            {
                return corrupted;
            }
            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(FindCorruption).FirstOrDefault(c => c is not null);
            }
        }
        return null;
    }

    private void Finish(Attempt attempt)
    {
        _runtime.Stop();
        var accumulators = new Dictionary<string, long>();
        foreach (var counters in attempt.Counters)
        {
            foreach (var (name, counter) in counters)
            {
                accumulators[name] = accumulators.GetValueOrDefault(name) + counter.Value;
            }
        }
        Volatile.Write(ref _status, (int)JobStatus.Finished);
        _completion.SetResult(new JobExecutionResult(JobId, JobName, _runtime.Elapsed, accumulators));
    }

    private void Fail((StreamTask? Task, Exception Error) failure)
    {
        _runtime.Stop();
        Volatile.Write(ref _status, (int)JobStatus.Failed);
        _completion.SetException(failure.Task is null
            ? new JobExecutionException(JobId, JobName, failure.Error, failure.Error.Message)
            : new JobExecutionException(JobId, JobName, failure.Task.Name, failure.Error));
    }

    private Attempt Deploy(CheckpointMetadata? restore, string? restoreDirectory)
    {
        var settings = _configuration.Network;
        var attempt = new Attempt(this);
        var token = attempt.Cancellation.Token;
        var pool = _taskManager.NetworkPool;
        bool flushAlways = _configuration.BufferTimeout == TimeSpan.Zero;
        var restorePlan = restore is null ? null : new RestorePlan(_jobGraph, restore, restoreDirectory!, _configuration.SavepointRestore?.AllowNonRestoredState ?? false);

        try
        {
            // Connections of every job edge, and per consumer subtask the order of its gate's channels.
            var connections = _jobGraph.Vertices.SelectMany(v => v.Outputs).ToDictionary(e => e, ExecutionEdges.Connections);
            var partitionsOf = new Dictionary<(JobEdge, int), ResultPartition>();
            foreach (var vertex in _jobGraph.Vertices)
            {
                foreach (var edge in vertex.Outputs)
                {
                    for (int p = 0; p < vertex.Parallelism; p++)
                    {
                        int subpartitions = connections[edge].Count(c => c.Producer == p);
                        var partition = new ResultPartition($"{vertex.Name} ({p + 1}/{vertex.Parallelism})", subpartitions, pool, settings, token);
                        attempt.Partitions.Add(partition);
                        partitionsOf[(edge, p)] = partition;
                    }
                }
            }

            foreach (var vertex in _jobGraph.Vertices)
            {
                var fusedChain = Fusion.FusedChainRegistry.Resolve(vertex, _configuration);
                for (int s = 0; s < vertex.Parallelism; s++)
                {
                    var counters = new Dictionary<string, Counter>();
                    attempt.Counters.Add(counters);
                    var outputs = vertex.Outputs.Select(e => (e, partitionsOf[(e, s)].NumberOfSubpartitions)).ToList();
                    var restoreOfSubtask = restorePlan?.For(vertex, s);
                    var partitions = vertex.Outputs.Select(e => partitionsOf[(e, s)]).ToList();
                    var chain = new OperatorChain(vertex, s, partitions, outputs, _serializers, _taskManager.ManagedPool,
                        name => counters.TryGetValue(name, out var c) ? c : counters[name] = new Counter(), flushAlways, token,
                        _configuration.TimeProvider, _configuration.AutoWatermarkInterval, fusedChain, restoreOfSubtask,
                        _configuration.Checkpointing.IsEnabled);

                    InputGate? gate = null;
                    var readers = new List<IChannelReader>();
                    var channelSources = new List<(ResultPartition Partition, int Subpartition)>();
                    foreach (var edge in vertex.Inputs)
                    {
                        var target = chain.Operators[edge.StreamEdge.Target].GetInput(edge.StreamEdge.InputIndex);
                        foreach (var (producer, subpartition, _) in connections[edge].Where(c => c.Consumer == s).OrderBy(c => c.Producer))
                        {
                            readers.Add(chain.CreateChannelReader(edge.StreamEdge, _serializers, target));
                            channelSources.Add((partitionsOf[(edge, producer)], subpartition));
                        }
                    }
                    if (channelSources.Count > 0)
                    {
                        gate = new InputGate(chain.TaskName, channelSources.Count, pool, settings);
                        attempt.Gates.Add(gate);
                        for (int c = 0; c < channelSources.Count; c++)
                        {
                            LocalChannel.Connect(channelSources[c].Partition.GetSubpartition(channelSources[c].Subpartition), gate.GetChannel(c));
                        }
                    }
                    int index = attempt.Tasks.Count;
                    var identities = vertex.Operators.ToDictionary(OperatorIds.Of, node => new OperatorIdentity(OperatorIds.Of(node), node.Name,
                        node.ResolvedParallelism, node.ResolvedMaxParallelism,
                        State.KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(node.ResolvedMaxParallelism, node.ResolvedParallelism, s)));
                    var checkpointing = new TaskCheckpointing(index, chain.TaskName, s, attempt.Coordinator, _storage, _configuration.Checkpointing, identities);
                    var headRestore = restoreOfSubtask?.GetValueOrDefault(OperatorIds.Of(vertex.Operators[0]));
                    attempt.Tasks.Add(new StreamTask(index, chain, gate, readers.ToArray(), partitions, _configuration.BufferTimeout, token, checkpointing, headRestore));
                }
            }
        }
        catch
        {
            attempt.ReleaseAll();
            throw;
        }
        return attempt;
    }

    /// <summary>One deployment of every task, from start (or restore) to the end of all its threads.</summary>
    private sealed class Attempt
    {
        private readonly JobMaster _master;
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Attempt(JobMaster master)
        {
            _master = master;
            Cancellation = CancellationTokenSource.CreateLinkedTokenSource(master._jobCancellation.Token);
            Coordinator = new CheckpointCoordinator(master._configuration.Checkpointing, master._storage, master._store,
                master._configuration.TimeProvider, master._nextCheckpointId, e => OnFailure(null, e));
        }

        public CancellationTokenSource Cancellation { get; }
        public CheckpointCoordinator Coordinator { get; }
        public List<ResultPartition> Partitions { get; } = new();
        public List<InputGate> Gates { get; } = new();
        public List<StreamTask> Tasks { get; } = new();
        public List<Dictionary<string, Counter>> Counters { get; } = new();
        public (StreamTask? Task, Exception Error)? Failure { get; private set; }
        public Task Ended => _ended.Task;

        public void Run()
        {
            foreach (var task in Tasks)
            {
                var t = task;
                task.Completion.ContinueWith(c =>
                {
                    if (c.IsFaulted)
                    {
                        OnFailure(t, c.Exception!.InnerExceptions.Count == 1 ? c.Exception.InnerException! : c.Exception);
                    }
                }, TaskScheduler.Default);
            }
            Coordinator.Start(Tasks);
            foreach (var task in Tasks)
            {
                task.Start();
            }
            Task.WhenAll(Tasks.Select(t => t.Completion)).ContinueWith(async _ =>
            {
                // Snapshot writers still running would write into checkpoint directories after the attempt cleaned them up.
                try
                {
                    await Task.WhenAll(Tasks.Select(t => t.AsyncSnapshotsDone)).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A failed or stuck writer was already reported as a declined checkpoint; go on ending the attempt.
                }
                Coordinator.Stop();
                ReleaseAll();
                // The per-task continuations may not have run yet; the task completions are the truth.
                if (Failure is null && Tasks.FirstOrDefault(t => t.Completion.IsFaulted) is { } failed)
                {
                    var exception = failed.Completion.Exception!;
                    OnFailure(failed, exception.InnerExceptions.Count == 1 ? exception.InnerException! : exception);
                }
                _ended.SetResult();
            }, TaskScheduler.Default).Unwrap();
        }

        private void OnFailure(StreamTask? task, Exception error)
        {
            lock (_master._lock)
            {
                Failure ??= (task, error);
            }
            Cancellation.Cancel();
        }

        public void ReleaseAll()
        {
            foreach (var gate in Gates)
            {
                gate.Release();
            }
            foreach (var partition in Partitions)
            {
                partition.Release();
            }
        }
    }
}
