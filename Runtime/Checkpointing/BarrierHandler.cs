using DataflowCompiler.Network;

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
