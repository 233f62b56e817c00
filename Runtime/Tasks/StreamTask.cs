using DataflowCompiler.Checkpointing;
using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;

namespace DataflowCompiler.Tasks;

/// <summary>
/// One subtask of a chain, on its own thread, running the mailbox loop (DESIGN §4): take input
/// from the gate (or poll the source), run the chain, run mail (flushes, checkpoint triggers and
/// notifications). It blocks only when there is neither input nor mail. User code runs only on this
/// thread, so state needs no locks.
/// <para>
/// With checkpointing (docs/checkpoints.md) a task forwards barriers and snapshots its operators when a
/// barrier passes (aligned in exactly-once mode); at the end of a bounded input it finishes its operators,
/// sends end-of-data, and stays until the final checkpoint that covers everything it emitted is complete.
/// </para>
/// </summary>
internal sealed class StreamTask
{
    private const int SourceBatch = 512;

    private readonly OperatorChain _chain;
    private readonly InputGate? _gate;
    private readonly IChannelReader[] _readers;
    private readonly IReadOnlyList<ResultPartition> _partitions;
    private readonly TimeSpan _bufferTimeout;
    private readonly CancellationToken _cancellation;
    private readonly TaskSignal _signal = new();
    private readonly Mailbox _mailbox;
    private readonly Action _flushOutputs; // created once: a method group would allocate a delegate per loop pass
    private readonly StatusWatermarkValve[] _valveOfChannel;
    private readonly int[] _indexInValve;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool[] _endOfData;
    private int _endOfDataCount;
    private Thread? _thread;

    // Checkpointing (null when off).
    private readonly TaskCheckpointing? _checkpointing;
    private readonly BarrierHandler? _barriers;
    private readonly UnalignedBarrierHandler? _unaligned; // periodic checkpoints when they are unaligned (_barriers aligns the others)
    private readonly OperatorRestoreState? _channelRestore; // in-flight data of an unaligned checkpoint to restore
    private long _exitAfterCheckpoint = -1; // an ending barrier was snapshotted: exit once it completes
    private bool _exitNow;
    private bool _stopped; // stop-with-savepoint: the source stopped reading
    private readonly bool _waitForFinalCheckpoint; // periodic checkpointing: stay after the end of input until the final checkpoint completes

    public StreamTask(int index, OperatorChain chain, InputGate? gate, IChannelReader[] readers, IReadOnlyList<ResultPartition> partitions,
        TimeSpan bufferTimeout, CancellationToken cancellation, TaskCheckpointing? checkpointing = null, OperatorRestoreState? channelRestore = null)
    {
        _channelRestore = channelRestore;
        Index = index;
        _chain = chain;
        _gate = gate;
        _readers = readers;
        _partitions = partitions;
        _bufferTimeout = bufferTimeout;
        _cancellation = cancellation;
        _mailbox = new Mailbox(_signal);
        _flushOutputs = chain.FlushOutputs;
        _endOfData = new bool[readers.Length];
        chain.Time.ProcessingTime.Attach(_mailbox);
        gate?.SetAvailabilityListener(_signal.Set);
        _checkpointing = checkpointing;
        _waitForFinalCheckpoint = checkpointing?.WaitsForFinalCheckpoint ?? false;
        if (checkpointing is not null && gate is not null)
        {
            // Savepoints and the final checkpoint are always aligned: everything before their barrier must be in the
            // snapshot, because nothing after it is committed (the job ends, or the savepoint must be self-contained).
            _barriers = checkpointing.Mode == CheckpointingMode.ExactlyOnce
                ? new AligningBarrierHandler(gate, PerformCheckpoint, AbortAlignedCheckpoint)
                : new TrackingBarrierHandler(gate.NumberOfChannels, PerformCheckpoint);
            if (checkpointing.Unaligned)
            {
                _unaligned = new UnalignedBarrierHandler(readers, PerformUnalignedCheckpoint, AbortAlignedCheckpoint);
            }
        }

        // One valve per operator input: the channels feeding the same input share it (Flink: one per input gate of an input).
        _valveOfChannel = new StatusWatermarkValve[readers.Length];
        _indexInValve = new int[readers.Length];
        foreach (var group in readers.Select((reader, channel) => (reader.Target, channel)).GroupBy(x => x.Target, ReferenceEqualityComparer.Instance))
        {
            var channels = group.Select(x => x.channel).ToArray();
            var valve = new StatusWatermarkValve(channels.Length, (Operators.IWatermarkInput)group.Key!);
            for (int i = 0; i < channels.Length; i++)
            {
                _valveOfChannel[channels[i]] = valve;
                _indexInValve[channels[i]] = i;
            }
        }
    }

    /// <summary>The task's index in the job (the coordinator's name for it).</summary>
    public int Index { get; }

    public string Name => _chain.TaskName;

    public bool IsSource => _gate is null;

    /// <summary>Completes when the asynchronous parts of this task's snapshots are done writing.</summary>
    public Task AsyncSnapshotsDone => _checkpointing?.AsyncPartsDone() ?? Task.CompletedTask;

    /// <summary>Completes when the thread ends: successfully, faulted with the task's failure, or cancelled.</summary>
    public Task Completion => _completion.Task;

    public void Start()
    {
        _thread = new Thread(Run) { Name = Name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Coordinator → source task: take checkpoint <paramref name="barrier"/> and inject its barrier (any thread).</summary>
    public void TriggerCheckpoint(CheckpointBarrier barrier) => _mailbox.Post(() => PerformCheckpoint(barrier));

    /// <summary>Coordinator → task: checkpoint <paramref name="checkpointId"/> is complete (any thread).</summary>
    public void NotifyCheckpointComplete(long checkpointId) => _mailbox.Post(() =>
    {
        _checkpointing!.NotifyComplete(checkpointId);
        _chain.NotifyCheckpointComplete(checkpointId);
        if (_exitAfterCheckpoint >= 0 && checkpointId >= _exitAfterCheckpoint)
        {
            _exitNow = true;
        }
    });

    /// <summary>Coordinator → task: checkpoint <paramref name="checkpointId"/> was aborted (any thread).</summary>
    public void NotifyCheckpointAborted(long checkpointId) => _mailbox.Post(() =>
    {
        _barriers?.Abort(checkpointId);
        _unaligned?.Abort(checkpointId);
        _checkpointing!.NotifyAborted(checkpointId);
        _chain.NotifyCheckpointAborted(checkpointId);
        if (_exitAfterCheckpoint == checkpointId)
        {
            // The ending checkpoint failed: a stopped source resumes; a finished task waits for the next final one.
            _exitAfterCheckpoint = -1;
            _stopped = false;
        }
    });

    private void PerformCheckpoint(CheckpointBarrier barrier) => PerformCheckpoint(barrier, null);

    private void PerformUnalignedCheckpoint(CheckpointBarrier barrier, Task<byte[]> channelState) => PerformCheckpoint(barrier, channelState);

    private void PerformCheckpoint(CheckpointBarrier barrier, Task<byte[]>? channelInput)
    {
        var checkpointing = _checkpointing!;
        if (barrier.CheckpointId <= checkpointing.LastTriggered)
        {
            return; // a source can be triggered late for a checkpoint it already took
        }
        // Flink's order: barrier downstream first, then the synchronous snapshot, then the asynchronous part.
        // Unaligned (periodic checkpoints only; savepoints and the final checkpoint are aligned): the barrier overtakes
        // the buffers queued in every output subpartition; copies of those buffers become part of the snapshot.
        byte[]? channelOutput = null;
        if (checkpointing.Unaligned && barrier.Kind == BarrierKind.Checkpoint)
        {
            var overtaken = new List<byte[][][]>(_partitions.Count);
            foreach (var partition in _partitions)
            {
                overtaken.Add(partition.BroadcastPriorityEvent(barrier));
            }
            channelOutput = ChannelState.WriteOutput(overtaken);
        }
        else
        {
            foreach (var partition in _partitions)
            {
                partition.BroadcastEvent(barrier);
            }
        }
        if (checkpointing.WasAbortedAhead(barrier.CheckpointId))
        {
            return; // downstream tasks still get the barrier (their alignment ends with it), but nobody needs this snapshot
        }
        try
        {
            var snapshots = _chain.SnapshotState(barrier, checkpointing);
            if (channelOutput is not null && snapshots.Count > 0)
            {
                snapshots[0].Sections[ChannelState.OutputSection] = channelOutput;
            }
            checkpointing.StartAsyncPart(barrier, snapshots, channelInput);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed snapshot declines the checkpoint and the task goes on, as in Flink: the coordinator decides
            // (TolerableFailedCheckpoints) whether the job fails.
            checkpointing.Decline(barrier.CheckpointId, e);
            return;
        }
        if (barrier.EndsTasks)
        {
            _exitAfterCheckpoint = barrier.CheckpointId;
            _stopped |= barrier.Kind == BarrierKind.StopWithSavepoint;
        }
    }

    /// <summary>Queues the output buffers an unaligned checkpoint stored ahead of anything the task emits now.</summary>
    private void RestoreOutputChannelState()
    {
        if (ChannelSection(ChannelState.OutputSection) is not { } bytes)
        {
            return;
        }
        var partitions = ChannelState.ReadOutput(bytes);
        CheckChannelLayout(partitions.Count == _partitions.Count && partitions.Select(p => p.Count).SequenceEqual(_partitions.Select(p => p.NumberOfSubpartitions)));
        for (int p = 0; p < partitions.Count; p++)
        {
            for (int s = 0; s < partitions[p].Count; s++)
            {
                foreach (var buffer in partitions[p][s])
                {
                    _partitions[p].GetSubpartition(s).AddRecoveredBuffer(buffer);
                }
            }
        }
    }

    /// <summary>Processes the in-flight input an unaligned checkpoint stored before the task reads its channels.</summary>
    private void RestoreInputChannelState()
    {
        if (ChannelSection(ChannelState.InputSection) is not { } bytes)
        {
            return;
        }
        var channels = ChannelState.ReadInput(bytes);
        CheckChannelLayout(channels.Count == _readers.Length);
        for (int c = 0; c < channels.Count; c++)
        {
            _readers[c].RestorePartialRecord(channels[c].Partial);
            foreach (var buffer in channels[c].Buffers)
            {
                _readers[c].ProcessBuffer(NetworkBuffer.CreateUnpooled(buffer));
            }
        }
    }

    // The restore plan allows channel state only at the parallelism it was taken with; at another parallelism an
    // (aligned) savepoint may have fewer subtasks than this task's index.
    private byte[]? ChannelSection(string name) =>
        _channelRestore is { } restore && _checkpointing!.Subtask < restore.Sections.Count
            ? restore.Sections[_checkpointing.Subtask].GetValueOrDefault(name)
            : null;

    private void CheckChannelLayout(bool matches)
    {
        if (!matches)
        {
            throw new InvalidOperationException(
                $"task '{Name}' restores the in-flight data of an unaligned checkpoint, but its channels differ from the checkpoint's: " +
                "a job restores an unaligned checkpoint only with the same parallelism of every operator (take a savepoint to rescale).");
        }
    }

    private void AbortAlignedCheckpoint(long checkpointId) => _checkpointing!.Decline(checkpointId,
        new CheckpointSubsumedException($"task '{Name}' received a newer checkpoint's barrier before checkpoint {checkpointId} was complete."));

    private void Run()
    {
        Exception? failure = null;
        OutputFlusher? flusher = null;
        try
        {
            if (_partitions.Count > 0 && _bufferTimeout > TimeSpan.Zero && _bufferTimeout != Timeout.InfiniteTimeSpan)
            {
                flusher = new OutputFlusher(_bufferTimeout, _mailbox.RequestFlush);
            }
            _chain.InitializeState();
            RestoreOutputChannelState();
            _chain.Open();
            RestoreInputChannelState();
            bool reachedEnd = _chain.Head is ISourceDriver source ? RunSource(source) : RunInputs();
            if (reachedEnd)
            {
                foreach (var partition in _partitions)
                {
                    partition.Finish();
                }
            }
            _chain.Time.ProcessingTime.Quiesce();
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            // An unaligned checkpoint still collecting in-flight data will not get it any more.
            _unaligned?.AbortRecording();
            _chain.Time.ProcessingTime.Quiesce();
            flusher?.Dispose();
            var closeErrors = _chain.Close();
            foreach (var reader in _readers)
            {
                try
                {
                    reader.Clear();
                }
                catch (Exception e)
                {
                    closeErrors.Add(e);
                }
            }
            if (failure is null && closeErrors.Count > 0)
            {
                failure = closeErrors.Count == 1 ? closeErrors[0] : new AggregateException(closeErrors);
            }
        }
        if (failure is null)
        {
            _completion.SetResult();
        }
        else if (failure is OperationCanceledException && _cancellation.IsCancellationRequested)
        {
            _completion.SetCanceled(_cancellation);
        }
        else
        {
            _completion.SetException(failure);
        }
    }

    /// <summary>End of input: finishes the operators (final watermark, flushes) and tells consumers no data follows.</summary>
    private void EndOfInput()
    {
        // Pending processing-time timers are dropped (Flink quiesces its timer service), event time ends with the final watermark.
        _chain.Time.ProcessingTime.Quiesce();
        _chain.Finish();
        foreach (var partition in _partitions)
        {
            partition.BroadcastEvent(EndOfDataEvent.Instance);
        }
        _checkpointing?.ReportEndOfInput();
    }

    /// <summary>Runs the source; true when its input ended (send end-of-partition), false when it stopped with a savepoint.</summary>
    private bool RunSource(ISourceDriver source)
    {
        source.OpenReader(_signal.Set);
        bool ended = false;
        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            int version = _signal.Version;
            _mailbox.ProcessMail(_flushOutputs);
            if (_exitNow)
            {
                if (!ended)
                {
                    _chain.FlushOutputs();
                }
                return ended;
            }
            if (ended || _stopped)
            {
                if (!_waitForFinalCheckpoint && ended)
                {
                    return true;
                }
                _signal.WaitForChange(version, _cancellation);
                continue;
            }
            var status = source.EmitBatch(SourceBatch, ref _mailbox.MailFlag);
            if (status == ReadStatus.EndOfInput)
            {
                // A reader may end its input because the task is being cancelled (the socket source does);
                // that is not the end of a bounded stream, so sinks must not see a final flush.
                _cancellation.ThrowIfCancellationRequested();
                EndOfInput();
                ended = true;
                if (!_waitForFinalCheckpoint)
                {
                    return true;
                }
                continue;
            }
            if (status == ReadStatus.NothingAvailable && Volatile.Read(ref _mailbox.MailFlag) == 0)
            {
                _signal.WaitForChange(version, _cancellation);
            }
        }
    }

    /// <summary>Runs the inputs; true when they all ended (send end-of-partition), false when the task stopped with a savepoint.</summary>
    private bool RunInputs()
    {
        var gate = _gate!;
        bool finished = false;
        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            int version = _signal.Version;
            _mailbox.ProcessMail(_flushOutputs);
            if (_exitNow && (_stopped || gate.IsFinished))
            {
                return !_stopped;
            }
            if (gate.TryGetNext(out var next))
            {
                if (next.Buffer is { } buffer)
                {
                    if (_unaligned is { IsRecording: true } recording)
                    {
                        recording.OnBuffer(next.ChannelIndex, buffer);
                    }
                    _readers[next.ChannelIndex].ProcessBuffer(buffer);
                }
                else if (next.Event is Watermark watermark)
                {
                    _valveOfChannel[next.ChannelIndex].InputWatermark(watermark, _indexInValve[next.ChannelIndex]);
                }
                else if (next.Event is WatermarkStatus status)
                {
                    _valveOfChannel[next.ChannelIndex].InputWatermarkStatus(status, _indexInValve[next.ChannelIndex]);
                }
                else if (next.Event is CheckpointBarrier barrier)
                {
                    if (_barriers is null)
                    {
                        throw new InvalidOperationException($"task '{Name}' received {barrier} but checkpointing is off.");
                    }
                    if (_unaligned is not null && barrier.Kind == BarrierKind.Checkpoint)
                    {
                        _unaligned.OnBarrier(barrier, next.ChannelIndex, next.OvertakenBuffers);
                    }
                    else
                    {
                        _barriers.OnBarrier(barrier, next.ChannelIndex);
                    }
                }
                else if (next.Event is EndOfDataEvent)
                {
                    OnEndOfData(next.ChannelIndex, ref finished);
                }
                else if (next.Event is EndOfPartitionEvent)
                {
                    // A producer that never sent end-of-data (an older protocol or a stopped job) still ends its data here.
                    OnEndOfData(next.ChannelIndex, ref finished);
                    _barriers?.OnChannelFinished(next.ChannelIndex);
                    _unaligned?.OnChannelFinished(next.ChannelIndex);
                    if (gate.IsFinished && (!_waitForFinalCheckpoint || _exitNow))
                    {
                        return true;
                    }
                }
                continue;
            }
            if (gate.IsFinished && (!_waitForFinalCheckpoint || _exitNow))
            {
                return true;
            }
            if (Volatile.Read(ref _mailbox.MailFlag) == 0)
            {
                _signal.WaitForChange(version, _cancellation);
            }
        }
    }

    private void OnEndOfData(int channel, ref bool finished)
    {
        if (_endOfData[channel])
        {
            return;
        }
        _endOfData[channel] = true;
        if (++_endOfDataCount == _endOfData.Length && !finished)
        {
            finished = true;
            EndOfInput();
        }
    }
}
