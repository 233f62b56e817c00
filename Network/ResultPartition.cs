using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// The output of one producing subtask: one <see cref="ResultSubpartition"/> per consuming
/// channel. It reserves <see cref="NetworkSettings.PartitionBuffers"/> segments from the network
/// pool when created and returns all of them on <see cref="Release"/>.
/// Written by its owning task thread only.
/// </summary>
/// <remarks>
/// The reserved segments live in a free list. A subpartition takes one as its current buffer,
/// finishes it into its queue when full or flushed, and the segment comes back to the free list
/// as soon as it was shipped against a credit. When the free list is empty, or the subpartition
/// already holds <see cref="NetworkSettings.MaxBuffersPerSubpartition"/> buffers, the producer
/// waits: that is backpressure.
/// </remarks>
public sealed class ResultPartition
{
    // Guards _free, _released, _waiters and every ResultSubpartition.Held; never held while taking another lock.
    private readonly object _lock = new();
    private readonly ResultSubpartition[] _subpartitions;
    private readonly MemorySegment[] _all;
    private readonly Stack<MemorySegment> _free;
    private readonly int _maxBuffersPerSubpartition;
    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenRegistration _cancellationRegistration;
    private int _waiters;
    private long _waitCount;
    private bool _released;
    private bool _finished;

    /// <param name="owner">Name of the producing subtask, used in error messages.</param>
    /// <param name="cancellation">Cancels a producer waiting for a free buffer (it gets an <see cref="OperationCanceledException"/>).</param>
    public ResultPartition(string owner, int numberOfSubpartitions, MemorySegmentPool pool, NetworkSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(settings);
        if (numberOfSubpartitions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numberOfSubpartitions), numberOfSubpartitions,
                $"Result partition '{owner}' needs at least one subpartition.");
        }
        settings.ValidateForPartition(owner);
        if (pool.SegmentSize < 8)
        {
            throw new ArgumentException($"Result partition '{owner}': segments of pool '{pool.Name}' are too small.", nameof(pool));
        }

        Owner = owner;
        Settings = settings;
        _cancellation = cancellation;
        int needed = settings.PartitionBuffers(numberOfSubpartitions);
        _all = SegmentReservation.Reserve(pool, needed,
            $"Result partition '{owner}' ({numberOfSubpartitions} subpartitions × {settings.BuffersPerSubpartition} + {settings.FloatingBuffersPerPartition} floating)");
        _free = new Stack<MemorySegment>(_all);
        _maxBuffersPerSubpartition = Math.Min(needed, settings.MaxBuffersPerSubpartition(numberOfSubpartitions));
        _subpartitions = new ResultSubpartition[numberOfSubpartitions];
        for (int i = 0; i < numberOfSubpartitions; i++)
        {
            _subpartitions[i] = new ResultSubpartition(this, i, _maxBuffersPerSubpartition + 4);
        }
        if (cancellation.CanBeCanceled)
        {
            _cancellationRegistration = cancellation.Register(static state => ((ResultPartition)state!).WakeWaiters(), this);
        }
    }

    public string Owner { get; }
    public int NumberOfSubpartitions => _subpartitions.Length;
    public ResultSubpartition GetSubpartition(int index) => _subpartitions[index];

    /// <summary>The settings this partition was created with.</summary>
    public NetworkSettings Settings { get; }

    internal ResultSubpartition[] Subpartitions => _subpartitions;

    /// <summary>Free segments right now (tests and metrics).</summary>
    internal int FreeSegments
    {
        get { lock (_lock) { return _free.Count; } }
    }

    /// <summary>True while the producer waits for a free buffer (tests and metrics).</summary>
    internal bool IsProducerWaiting => Volatile.Read(ref _waiters) > 0;

    /// <summary>How many times the producer started to wait for a buffer (tests observe a new stall with it).</summary>
    internal long BufferWaitCount => Interlocked.Read(ref _waitCount);

    /// <summary>Ships every non-empty current buffer (the output flusher's action).</summary>
    public void Flush()
    {
        foreach (var subpartition in _subpartitions)
        {
            subpartition.FinishCurrent();
        }
    }

    /// <summary>Flushes, then puts the event into every subpartition, in order after all records written so far.</summary>
    public void BroadcastEvent(RuntimeEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ThrowIfFinishedOrReleased();
        foreach (var subpartition in _subpartitions)
        {
            subpartition.FinishCurrent();
            subpartition.AddEvent(@event);
        }
    }

    /// <summary>
    /// Sends <paramref name="event"/> on every subpartition ahead of the data in flight (Flink's priority event, used by
    /// unaligned checkpoints): each current buffer is finished, and the event goes to the receiver at once (it needs
    /// no credit), at the front of the channel's received queue. Buffers it overtakes are not lost: they are still
    /// delivered, in order, after it. Called by the owning task thread, like every write, so it must not be blocked
    /// in a write at the time; non-priority events keep their place behind the data.
    /// </summary>
    /// <returns>
    /// Per subpartition, copies of the finished buffers that were still queued here, not yet shipped, in order: the
    /// producer's share of the in-flight data. The consumer's share is the <see cref="BufferOrEvent.OvertakenBuffers"/>
    /// buffers that follow the event on its channel. Both are taken atomically with the delivery of the event.
    /// </returns>
    public byte[][][] BroadcastPriorityEvent(RuntimeEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ThrowIfFinishedOrReleased();
        var overtaken = new byte[_subpartitions.Length][][];
        for (int i = 0; i < _subpartitions.Length; i++)
        {
            var subpartition = _subpartitions[i];
            subpartition.FinishCurrent();
            overtaken[i] = subpartition.AddPriorityEvent(@event);
        }
        return overtaken;
    }

    /// <summary>Flushes and sends end-of-partition on every subpartition. No writes after this. Calling it again does nothing.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        BroadcastEvent(EndOfPartitionEvent.Instance);
        _finished = true;
    }

    /// <summary>
    /// Returns every segment this partition holds, shipped or not (cancel, failure or after consumers finished). Idempotent.
    /// Call it from the owning task thread, or once that thread no longer writes; a producer waiting for a buffer is woken and fails.
    /// </summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_released)
            {
                return;
            }
            _released = true;
            _free.Clear();
            Monitor.PulseAll(_lock);
        }
        // After every subpartition is marked under its connection lock, no shipper touches a sender
        // segment again, so every reserved segment can go back exactly once, wherever it was.
        foreach (var subpartition in _subpartitions)
        {
            subpartition.MarkReleased();
        }
        _cancellationRegistration.Dispose();
        foreach (var segment in _all)
        {
            segment.Return();
        }
    }

    /// <summary>Takes a free segment for <paramref name="subpartition"/>'s current buffer, waiting while none may be taken.</summary>
    internal MemorySegment AcquireSegment(ResultSubpartition subpartition)
    {
        if (_finished)
        {
            throw new InvalidOperationException($"Result partition '{Owner}' is finished; no records may be written after Finish().");
        }
        bool flushedOthers = false;
        while (true)
        {
            lock (_lock)
            {
                ThrowIfReleasedLocked();
                if (_free.Count > 0 && subpartition.Held < _maxBuffersPerSubpartition)
                {
                    subpartition.Held++;
                    return _free.Pop();
                }
                if (flushedOthers)
                {
                    _cancellation.ThrowIfCancellationRequested();
                    _waiters++;
                    _waitCount++;
                    try
                    {
                        // Woken by a shipped buffer, by cancellation or by Release.
                        Monitor.Wait(_lock);
                    }
                    finally
                    {
                        _waiters--;
                    }
                    continue;
                }
            }
            // Before blocking, ship the partly filled buffers of the other subpartitions: their
            // consumers must not starve (and maybe stall a whole graph) because this one is full.
            // Done outside our lock: finishing a buffer takes connection locks.
            flushedOthers = true;
            foreach (var other in _subpartitions)
            {
                if (!ReferenceEquals(other, subpartition))
                {
                    other.FinishCurrent();
                }
            }
        }
    }

    /// <summary>Gives back a segment that was shipped (called under the subpartition's connection lock).</summary>
    internal void RecycleSegment(MemorySegment segment, ResultSubpartition subpartition)
    {
        lock (_lock)
        {
            subpartition.Held--;
            if (_released)
            {
                return; // Release returns every reserved segment itself
            }
            _free.Push(segment);
            if (_waiters > 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    private void WakeWaiters()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }
    }

    private void ThrowIfReleasedLocked()
    {
        if (_released)
        {
            _cancellation.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"Result partition '{Owner}' was released; no records may be written.");
        }
    }

    private void ThrowIfFinishedOrReleased()
    {
        if (_finished)
        {
            throw new InvalidOperationException($"Result partition '{Owner}' is finished; nothing may be written after Finish().");
        }
        lock (_lock)
        {
            ThrowIfReleasedLocked();
        }
    }
}
