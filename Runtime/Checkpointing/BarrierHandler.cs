using DataflowCompiler.Network;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Checkpointing;

/// <summary>Decides when the barriers of a task's input channels trigger its snapshot.</summary>
internal abstract class BarrierHandler
{
    public abstract void OnBarrier(CheckpointBarrier barrier, int channel);

    /// <summary>A channel ended: it will deliver no more barriers, so alignment stops waiting for it.</summary>
    public abstract void OnChannelFinished(int channel);

    /// <summary>The coordinator aborted <paramref name="checkpointId"/>: stop waiting for its barriers.</summary>
    public abstract void Abort(long checkpointId);
}

/// <summary>
/// Exactly-once alignment (Flink's SingleCheckpointBarrierHandler, aligned): once barrier n arrived on a channel,
/// the channel is blocked until barrier n arrived on every open channel; then the task snapshots and every channel
/// resumes. A barrier of a newer checkpoint aborts an alignment in progress; a barrier of an older one is dropped.
/// </summary>
internal sealed class AligningBarrierHandler(InputGate gate, Action<CheckpointBarrier> checkpoint, Action<long> abortAlignment) : BarrierHandler
{
    private readonly bool[] _arrived = new bool[gate.NumberOfChannels];
    private readonly bool[] _finished = new bool[gate.NumberOfChannels];
    private int _arrivedCount;
    private int _finishedCount;
    private long _current = -1; // the checkpoint being aligned, or the last one done
    private CheckpointBarrier? _pending;

    public override void OnBarrier(CheckpointBarrier barrier, int channel)
    {
        long id = barrier.CheckpointId;
        if (id < _current || (id == _current && _pending is null))
        {
            return; // late barrier of an aborted or completed checkpoint
        }
        if (id > _current)
        {
            if (_pending is not null)
            {
                long abandoned = _current;
                ResumeAll();
                abortAlignment(abandoned);
            }
            _current = id;
            _pending = barrier;
        }
        if (!_arrived[channel])
        {
            _arrived[channel] = true;
            _arrivedCount++;
            gate.BlockChannel(channel);
        }
        TryComplete();
    }

    public override void OnChannelFinished(int channel)
    {
        if (!_finished[channel])
        {
            _finished[channel] = true;
            _finishedCount++;
            TryComplete();
        }
    }

    public override void Abort(long checkpointId)
    {
        if (_pending is not null && checkpointId == _current)
        {
            ResumeAll();
        }
    }

    private void TryComplete()
    {
        if (_pending is null)
        {
            return;
        }
        int needed = 0;
        for (int c = 0; c < _arrived.Length; c++)
        {
            if (!_arrived[c] && !_finished[c])
            {
                needed++;
            }
        }
        if (needed > 0)
        {
            return;
        }
        var barrier = _pending;
        ResumeAll();
        checkpoint(barrier);
    }

    private void ResumeAll()
    {
        _pending = null;
        for (int c = 0; c < _arrived.Length; c++)
        {
            if (_arrived[c])
            {
                _arrived[c] = false;
                gate.ResumeChannel(c);
            }
        }
        _arrivedCount = 0;
    }
}

/// <summary>
/// At-least-once (Flink's CheckpointBarrierTracker): barriers are counted per checkpoint without blocking any
/// channel; the snapshot is taken when the last open channel delivered barrier n. Older pending checkpoints are
/// dropped when a newer one completes.
/// </summary>
internal sealed class TrackingBarrierHandler(int channels, Action<CheckpointBarrier> checkpoint) : BarrierHandler
{
    private readonly SortedDictionary<long, (CheckpointBarrier Barrier, HashSet<int> Channels)> _pending = new();
    private readonly bool[] _finished = new bool[channels];
    private int _openChannels = channels;
    private long _lastDone = -1;

    public override void OnBarrier(CheckpointBarrier barrier, int channel)
    {
        long id = barrier.CheckpointId;
        if (id <= _lastDone)
        {
            return;
        }
        if (!_pending.TryGetValue(id, out var entry))
        {
            entry = (barrier, new HashSet<int>());
            _pending[id] = entry;
        }
        entry.Channels.Add(channel);
        TryComplete();
    }

    public override void OnChannelFinished(int channel)
    {
        if (!_finished[channel])
        {
            _finished[channel] = true;
            _openChannels--;
            TryComplete();
        }
    }

    public override void Abort(long checkpointId) => _pending.Remove(checkpointId);

    private void TryComplete()
    {
        foreach (var (id, entry) in _pending)
        {
            if (entry.Channels.Count(c => !_finished[c]) >= _openChannels)
            {
                foreach (var older in _pending.Keys.Where(k => k <= id).ToList())
                {
                    _pending.Remove(older);
                }
                _lastDone = id;
                checkpoint(entry.Barrier);
                return;
            }
        }
    }
}

/// <summary>
/// Unaligned exactly-once checkpoints (Flink's unaligned SingleCheckpointBarrierHandler): the first barrier of
/// checkpoint n — a priority event that overtook the buffers queued in its channel — triggers the snapshot at once;
/// nothing is blocked. From then on the task records, per channel, the in-flight data that belongs before the
/// barrier: the buffers the barrier overtook in its channel, and on every channel whose barrier has not arrived yet
/// every buffer until it does (plus those its barrier overtakes). With the partial records of the snapshot moment
/// this is the channel state the asynchronous phase writes once every channel delivered barrier n.
/// </summary>
internal sealed class UnalignedBarrierHandler(IChannelReader[] readers, Action<CheckpointBarrier, Task<byte[]>> checkpoint, Action<long> abandon) : BarrierHandler
{
    private readonly bool[] _finished = new bool[readers.Length];
    private readonly bool[] _awaiting = new bool[readers.Length];
    private readonly int[] _overtaken = new int[readers.Length];
    private long _current = -1;
    private TaskCompletionSource<byte[]>? _state;
    private byte[][] _partials = [];
    private List<byte[]>[] _buffers = [];

    /// <summary>True while in-flight data is recorded; the task then shows every buffer to <see cref="OnBuffer"/>.</summary>
    public bool IsRecording => _state is not null;

    public override void OnBarrier(CheckpointBarrier barrier, int channel) => OnBarrier(barrier, channel, 0);

    public void OnBarrier(CheckpointBarrier barrier, int channel, int overtakenBuffers)
    {
        long id = barrier.CheckpointId;
        if (id < _current || (id == _current && _state is null))
        {
            return; // late barrier of an aborted or completed checkpoint
        }
        if (id > _current)
        {
            if (_state is { } older)
            {
                long abandoned = _current;
                _state = null;
                older.TrySetException(new CheckpointException($"checkpoint {abandoned} was abandoned for the newer checkpoint {id}."));
                abandon(abandoned);
            }
            _current = id;
            _state = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            _partials = readers.Select(r => r.PartialRecordBytes()).ToArray();
            _buffers = readers.Select(_ => new List<byte[]>()).ToArray();
            for (int c = 0; c < readers.Length; c++)
            {
                _awaiting[c] = !_finished[c];
                _overtaken[c] = 0;
            }
            checkpoint(barrier, _state.Task);
        }
        _awaiting[channel] = false;
        _overtaken[channel] = overtakenBuffers;
        TryComplete();
    }

    /// <summary>A buffer taken from <paramref name="channel"/> while recording: kept if it belongs before the channel's barrier.</summary>
    public void OnBuffer(int channel, NetworkBuffer buffer)
    {
        if (_overtaken[channel] > 0)
        {
            _overtaken[channel]--;
        }
        else if (!_awaiting[channel])
        {
            return;
        }
        _buffers[channel].Add(buffer.Segment.Array.AsSpan(0, buffer.Size).ToArray());
        TryComplete();
    }

    public override void OnChannelFinished(int channel)
    {
        _finished[channel] = true;
        if (_state is not null)
        {
            _awaiting[channel] = false;
            TryComplete();
        }
    }

    /// <summary>The task ends: a recording in progress will never complete.</summary>
    public void AbortRecording() => Abort(_current);

    public override void Abort(long checkpointId)
    {
        if (_state is { } state && checkpointId == _current)
        {
            _state = null;
            state.TrySetException(new CheckpointException($"checkpoint {checkpointId} was aborted."));
        }
    }

    private void TryComplete()
    {
        if (_state is not { } state)
        {
            return;
        }
        for (int c = 0; c < readers.Length; c++)
        {
            if (_awaiting[c] || _overtaken[c] > 0)
            {
                return;
            }
        }
        _state = null;
        state.TrySetResult(ChannelState.WriteInput(_partials.Zip(_buffers).ToList()));
    }
}
