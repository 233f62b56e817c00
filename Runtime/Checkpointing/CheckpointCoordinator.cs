using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// Triggers checkpoints at the sources of one job attempt and completes them (Flink's CheckpointCoordinator):
/// periodic checkpoints by <see cref="CheckpointingOptions.Interval"/> on the job's clock, respecting the minimum
/// pause and the maximum in progress; savepoints on demand; the final checkpoint once every source reached the end
/// of its input. A checkpoint is complete when every task acknowledged it and its metadata is written; then every
/// task is notified. A decline, a timeout or a task that ends without acknowledging aborts it; more failures in a
/// row than <see cref="CheckpointingOptions.TolerableFailedCheckpoints"/> fail the job.
/// </summary>
internal sealed class CheckpointCoordinator : ICheckpointAcknowledger, IDisposable
{
    private readonly CheckpointingOptions _options;
    private readonly CheckpointStorage _storage;
    private readonly CompletedCheckpointStore _store;
    private readonly TimeProvider _time;
    private readonly Action<Exception> _failJob;
    private readonly object _lock = new();
    private readonly object _triggerOrder = new(); // ids are posted to the sources in the order they were given
    private readonly SortedDictionary<long, PendingCheckpoint> _pending = new();
    private readonly HashSet<int> _sourcesAtEnd = new();
    // Aborted checkpoints whose files a task may still be writing (its barrier came late); see DiscardLate.
    private readonly SortedDictionary<long, CheckpointBarrier> _aborted = new();
    private const int AbortedRemembered = 64;
    private IReadOnlyList<StreamTask> _tasks = [];
    private ITimer? _timer;
    private long _nextId;
    private long _lastCompletedAt = long.MinValue;
    private long _lastCompletedId = long.MinValue;
    private int _consecutiveFailures;
    private bool _finalTriggered;
    private bool _stopped;

    public CheckpointCoordinator(CheckpointingOptions options, CheckpointStorage storage, CompletedCheckpointStore store, TimeProvider time,
        long firstCheckpointId, Action<Exception> failJob)
    {
        _options = options;
        _storage = storage;
        _store = store;
        _time = time;
        _nextId = firstCheckpointId;
        _failJob = failJob;
    }

    /// <summary>The id the next checkpoint gets (ids keep growing across restarts of the job).</summary>
    public long NextCheckpointId
    {
        get
        {
            lock (_lock)
            {
                return _nextId;
            }
        }
    }

    /// <summary>Completed checkpoints of this attempt (tests and metrics).</summary>
    public int CompletedCount { get; private set; }

    /// <summary>Starts periodic checkpoints for the tasks of this attempt.</summary>
    public void Start(IReadOnlyList<StreamTask> tasks)
    {
        _tasks = tasks;
        foreach (var task in tasks)
        {
            var t = task;
            task.Completion.ContinueWith(_ => OnTaskEnded(t.Index), TaskScheduler.Default);
        }
        if (_options.Interval is { } interval)
        {
            _timer = _time.CreateTimer(_ => TriggerPeriodic(), null, interval, interval);
        }
    }

    /// <summary>Stops triggering and aborts what is in progress (the attempt ends).</summary>
    public void Stop()
    {
        List<PendingCheckpoint> aborted;
        lock (_lock)
        {
            _stopped = true;
            aborted = _pending.Values.ToList();
            _pending.Clear();
            foreach (var pending in aborted)
            {
                RememberAborted(pending.Barrier);
            }
        }
        _timer?.Dispose();
        foreach (var pending in aborted)
        {
            pending.Timeout?.Dispose();
            Discard(pending.Barrier);
            pending.Result.TrySetException(new CheckpointException($"checkpoint {pending.Barrier.CheckpointId} was aborted: the job attempt ended."));
        }
    }

    public void Dispose() => Stop();

    /// <summary>Triggers a savepoint (or stop-with-savepoint) into <paramref name="directory"/>; completes with the savepoint's path.</summary>
    public Task<string> TriggerSavepointAsync(string directory, bool stop)
    {
        var kind = stop ? BarrierKind.StopWithSavepoint : BarrierKind.Savepoint;
        string target;
        try
        {
            target = CheckpointStorage.CreateSavepointDirectory(directory);
        }
        catch (Exception e)
        {
            return Task.FromException<string>(new CheckpointException($"the savepoint directory under '{directory}' could not be created: {e.Message}", e));
        }
        var pending = Trigger(kind, target, force: true);
        return pending is null
            ? Task.FromException<string>(new CheckpointException("the savepoint could not be triggered: the job is not running or is finishing."))
            : pending.Result.Task;
    }

    /// <summary>Triggers a checkpoint now, outside the periodic schedule (tests); completes with its directory.</summary>
    public Task<string> TriggerCheckpointAsync()
    {
        var pending = Trigger(BarrierKind.Checkpoint, null, force: true);
        return pending is null
            ? Task.FromException<string>(new CheckpointException("the checkpoint could not be triggered: the job is not running or is finishing."))
            : pending.Result.Task;
    }

    private void TriggerPeriodic()
    {
        try
        {
            Trigger(BarrierKind.Checkpoint, null, force: false);
        }
        catch (Exception e)
        {
            _failJob(e);
        }
    }

    private PendingCheckpoint? Trigger(BarrierKind kind, string? target, bool force)
    {
        // Two triggers may race (the periodic timer and the final checkpoint at the end of input): without this, the
        // older id could reach a source after the newer one, and the older checkpoint could then never complete.
        lock (_triggerOrder)
        {
            return TriggerInOrder(kind, target, force);
        }
    }

    private PendingCheckpoint? TriggerInOrder(BarrierKind kind, string? target, bool force)
    {
        PendingCheckpoint pending;
        lock (_lock)
        {
            if (_stopped || _tasks.Count == 0 || _finalTriggered || _tasks.Any(t => t.Completion.IsCompleted))
            {
                return null;
            }
            if (!force && kind == BarrierKind.Checkpoint)
            {
                if (_pending.Count >= _options.MaxConcurrentCheckpoints)
                {
                    return null;
                }
                long now = _time.GetTimestamp();
                if (_lastCompletedAt != long.MinValue && _time.GetElapsedTime(_lastCompletedAt, now) < _options.MinPauseBetweenCheckpoints)
                {
                    return null;
                }
            }
            if (kind == BarrierKind.Final || kind == BarrierKind.StopWithSavepoint)
            {
                _finalTriggered = true;
            }
            long id = _nextId++;
            var barrier = new CheckpointBarrier(id, _time.GetUtcNow().ToUnixTimeMilliseconds(), kind, target);
            pending = new PendingCheckpoint(barrier, _tasks.Select(t => t.Index).ToHashSet());
            _pending[id] = pending;
            pending.Timeout = _time.CreateTimer(_ => Abort(id, new CheckpointException($"checkpoint {id} expired after {_options.Timeout}.")),
                null, _options.Timeout, Timeout.InfiniteTimeSpan);
        }
        foreach (var task in _tasks)
        {
            if (task.IsSource)
            {
                task.TriggerCheckpoint(pending.Barrier);
            }
        }
        return pending;
    }

    public void Acknowledge(int taskIndex, long checkpointId, IReadOnlyList<AcknowledgedOperatorState> states)
    {
        PendingCheckpoint? done = null;
        lock (_lock)
        {
            if (!_pending.TryGetValue(checkpointId, out var pending) || !pending.Waiting.Remove(taskIndex))
            {
                // A duplicate, or aborted meanwhile: then the files the task just wrote belong to no checkpoint.
                DiscardLate(checkpointId);
                return;
            }
            pending.States.AddRange(states);
            if (pending.Waiting.Count == 0)
            {
                _pending.Remove(checkpointId);
                done = pending;
            }
        }
        if (done is not null)
        {
            done.Timeout?.Dispose();
            Complete(done);
        }
    }

    public void Decline(int taskIndex, long checkpointId, Exception reason)
    {
        Abort(checkpointId, reason);
        lock (_lock)
        {
            DiscardLate(checkpointId); // a task that declines late may have written part of its state
        }
    }

    /// <summary>
    /// Deletes the files of an aborted checkpoint again: a task that had not reached its barrier when the checkpoint
    /// was aborted (timeout, decline elsewhere) still snapshots when the barrier arrives and writes its part after the
    /// first cleanup. Called under the lock.
    /// </summary>
    private void DiscardLate(long checkpointId)
    {
        if (_aborted.TryGetValue(checkpointId, out var barrier))
        {
            Discard(barrier);
        }
    }

    private void RememberAborted(CheckpointBarrier barrier)
    {
        _aborted[barrier.CheckpointId] = barrier;
        if (_aborted.Count > AbortedRemembered)
        {
            _aborted.Remove(_aborted.Keys.First());
        }
    }

    public void ReportEndOfInput(int taskIndex)
    {
        bool allSources;
        lock (_lock)
        {
            if (!_tasks.Any(t => t.Index == taskIndex && t.IsSource))
            {
                return;
            }
            _sourcesAtEnd.Add(taskIndex);
            allSources = _tasks.Where(t => t.IsSource).All(t => _sourcesAtEnd.Contains(t.Index));
        }
        if (allSources && _options.IsEnabled)
        {
            Trigger(BarrierKind.Final, null, force: true);
        }
    }

    private void OnTaskEnded(int taskIndex)
    {
        List<long> stranded;
        lock (_lock)
        {
            stranded = _pending.Values.Where(p => p.Waiting.Contains(taskIndex)).Select(p => p.Barrier.CheckpointId).ToList();
        }
        foreach (long id in stranded)
        {
            Abort(id, new CheckpointException($"checkpoint {id} was aborted: task {taskIndex} ended before acknowledging it."));
        }
    }

    private void Complete(PendingCheckpoint pending)
    {
        var barrier = pending.Barrier;
        string directory = barrier.IsSavepoint ? barrier.TargetDirectory! : _storage.CheckpointDirectory(barrier.CheckpointId);
        CheckpointMetadata metadata;
        try
        {
            metadata = new CheckpointMetadata(barrier.CheckpointId, barrier.TimestampMilliseconds,
                barrier.IsSavepoint ? CheckpointKind.Savepoint : CheckpointKind.Checkpoint,
                pending.States.GroupBy(s => s.Operator.OperatorId, StringComparer.Ordinal)
                    .Select(g =>
                    {
                        var op = g.First().Operator;
                        return new OperatorStateMetadata(op.OperatorId, op.Name, op.Parallelism, op.MaxParallelism,
                            g.Select(s => s.State).OrderBy(s => s.Subtask).ToList());
                    })
                    .OrderBy(o => o.OperatorId, StringComparer.Ordinal)
                    .ToList());
            if (barrier.IsSavepoint)
            {
                CheckpointStorage.WriteMetadata(directory, metadata);
            }
            else
            {
                _store.AddCompleted(metadata);
            }
        }
        catch (Exception e)
        {
            Failed(pending, new CheckpointException($"checkpoint {barrier.CheckpointId} could not be completed: {e.Message}", e));
            return;
        }
        List<PendingCheckpoint> subsumed = [];
        lock (_lock)
        {
            _lastCompletedAt = _time.GetTimestamp();
            _consecutiveFailures = 0;
            CompletedCount++;
            if (!barrier.IsSavepoint)
            {
                // Older checkpoints still in progress are subsumed (Flink: CHECKPOINT_SUBSUMED): recovery never needs them,
                // and a task that exits after this (final) checkpoint must not turn them into failures.
                _lastCompletedId = Math.Max(_lastCompletedId, barrier.CheckpointId);
                subsumed = _pending.Values.Where(p => p.Barrier.Kind == BarrierKind.Checkpoint && p.Barrier.CheckpointId < barrier.CheckpointId).ToList();
                foreach (var old in subsumed)
                {
                    _pending.Remove(old.Barrier.CheckpointId);
                }
            }
        }
        foreach (var old in subsumed)
        {
            old.Timeout?.Dispose();
            Failed(old, new CheckpointException($"checkpoint {old.Barrier.CheckpointId} was subsumed by checkpoint {barrier.CheckpointId}."));
        }
        foreach (var task in _tasks)
        {
            task.NotifyCheckpointComplete(barrier.CheckpointId);
        }
        pending.Result.TrySetResult(directory);
    }

    private void Abort(long checkpointId, Exception reason)
    {
        PendingCheckpoint? pending;
        lock (_lock)
        {
            if (!_pending.Remove(checkpointId, out pending))
            {
                return;
            }
        }
        pending.Timeout?.Dispose();
        Failed(pending, reason);
    }

    private void Failed(PendingCheckpoint pending, Exception reason)
    {
        var barrier = pending.Barrier;
        lock (_lock)
        {
            RememberAborted(barrier);
        }
        Discard(barrier);
        bool failJob = false;
        bool retryFinal = false;
        lock (_lock)
        {
            if (!_stopped)
            {
                // A checkpoint older than a completed one is subsumed, not failed: it does not count towards the tolerated failures.
                // So is one a task gave up for a newer checkpoint's barrier (Flink: CHECKPOINT_DECLINED_SUBSUMED).
                if ((barrier.Kind == BarrierKind.Checkpoint || barrier.Kind == BarrierKind.Final) && barrier.CheckpointId > _lastCompletedId
                    && reason is not CheckpointSubsumedException)
                {
                    _consecutiveFailures++;
                    failJob = _consecutiveFailures > _options.TolerableFailedCheckpoints;
                }
                if (barrier.EndsTasks)
                {
                    _finalTriggered = false;
                    retryFinal = barrier.Kind == BarrierKind.Final;
                }
            }
        }
        foreach (var task in _tasks)
        {
            task.NotifyCheckpointAborted(barrier.CheckpointId);
        }
        pending.Result.TrySetException(reason as CheckpointException ?? new CheckpointException(reason.Message, reason));
        if (failJob)
        {
            _failJob(new CheckpointException(
                $"{_consecutiveFailures} checkpoint(s) failed in a row, more than the {_options.TolerableFailedCheckpoints} tolerated: {reason.Message}", reason));
        }
        else if (retryFinal)
        {
            Trigger(BarrierKind.Final, null, force: true);
        }
    }

    private void Discard(CheckpointBarrier barrier)
    {
        try
        {
            if (barrier.IsSavepoint)
            {
                if (Directory.Exists(barrier.TargetDirectory))
                {
                    Directory.Delete(barrier.TargetDirectory, recursive: true);
                }
            }
            else
            {
                _store.DiscardPending(barrier.CheckpointId);
            }
        }
        catch (IOException)
        {
            // Best effort: a later cleanup of the checkpoint directory removes leftovers.
        }
    }

    private sealed class PendingCheckpoint(CheckpointBarrier barrier, HashSet<int> waiting)
    {
        public CheckpointBarrier Barrier { get; } = barrier;
        public HashSet<int> Waiting { get; } = waiting;
        public List<AcknowledgedOperatorState> States { get; } = new();
        public TaskCompletionSource<string> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? Timeout { get; set; }
    }
}
