using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// One channel's worth of a <see cref="ResultPartition"/>: the buffer being filled, the queue of
/// finished buffers and events waiting for credit, and the backlog reported to the receiver.
/// </summary>
/// <remarks>
/// <see cref="SyncRoot"/> is the connection lock: once connected, it also guards the receiving
/// <see cref="InputChannel"/>'s credits and queue, so shipping a buffer is one critical section.
/// Lock order: connection lock, then the gate's lock or the partition's lock; never the reverse.
/// </remarks>
public sealed class ResultSubpartition
{
    private readonly ResultPartition _partition;
    private readonly Queue<Pending> _queue;
    private Queue<RuntimeEvent>? _priorityBeforeConnect; // priority events sent before a receiver was connected
    private volatile InputChannel? _receiver;
    private int _backlog;
    private bool _released;

    // The current buffer ("buffer builder"); touched by the producing thread only, without locks.
    internal MemorySegment? CurrentSegment;
    internal byte[]? CurrentArray;
    internal int Position;

    /// <summary>Segments held (current plus queued); guarded by the partition's lock.</summary>
    internal int Held;

    internal ResultSubpartition(ResultPartition partition, int index, int queueCapacity)
    {
        _partition = partition;
        Index = index;
        _queue = new Queue<Pending>(queueCapacity);
    }

    internal readonly object SyncRoot = new();

    public int Index { get; }

    /// <summary>The partition this subpartition belongs to.</summary>
    public ResultPartition Partition => _partition;

    /// <summary>Finished buffers waiting to be shipped (the backlog piggybacked on every shipped buffer).</summary>
    public int Backlog
    {
        get { lock (SyncRoot) { return _backlog; } }
    }

    /// <summary>Credits announced by the receiver and not yet used.</summary>
    public int Credit
    {
        get { lock (SyncRoot) { return _receiver?.FreeCreditsLocked ?? 0; } }
    }


    /// <summary>Appends bytes to the current buffer, spanning into new buffers as they fill up (producer thread).</summary>
    internal void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (CurrentArray is null)
            {
                var segment = _partition.AcquireSegment(this);
                CurrentSegment = segment;
                CurrentArray = segment.Array;
                Position = 0;
            }
            var array = CurrentArray;
            int position = Position;
            int n = Math.Min(array.Length - position, bytes.Length);
            bytes[..n].CopyTo(array.AsSpan(position));
            Position = position + n;
            bytes = bytes[n..];
            if (Position == array.Length)
            {
                FinishCurrent();
            }
        }
    }

    /// <summary>Moves a non-empty current buffer into the queue and ships what credit allows (producer thread).</summary>
    internal void FinishCurrent()
    {
        var segment = CurrentSegment;
        if (segment is null || Position == 0)
        {
            return;
        }
        int size = Position;
        CurrentSegment = null;
        CurrentArray = null;
        Position = 0;
        bool notify;
        lock (SyncRoot)
        {
            ThrowIfReleasedLocked();
            _queue.Enqueue(new Pending(segment, size, null));
            _backlog++;
            notify = ShipLocked();
        }
        if (notify)
        {
            _receiver!.Gate.NotifyListener();
        }
    }

    /// <summary>Queues an event behind everything written so far (producer thread; the current buffer is already finished).</summary>
    internal void AddEvent(RuntimeEvent @event)
    {
        bool notify;
        lock (SyncRoot)
        {
            ThrowIfReleasedLocked();
            _queue.Enqueue(new Pending(null, 0, @event));
            notify = ShipLocked();
        }
        if (notify)
        {
            _receiver!.Gate.NotifyListener();
        }
    }

    /// <summary>
    /// Queues <paramref name="bytes"/> (recovered in-flight data of this channel, persisted by an unaligned checkpoint)
    /// as finished buffers, so they are shipped before anything written afterwards (producer thread).
    /// </summary>
    /// <remarks>
    /// Call it before the task writes anything to this subpartition (restore first, then process); bytes up to one
    /// segment become one buffer, longer ones are cut at segment boundaries, which records tolerate. Each buffer takes
    /// a segment from the partition's budget, so this may wait for credit like any write. Empty bytes queue nothing.
    /// </remarks>
    /// <exception cref="InvalidOperationException">Records were already written into the current buffer, or the partition is finished or released.</exception>
    public void AddRecoveredBuffer(ReadOnlySpan<byte> bytes)
    {
        if (Position > 0)
        {
            throw new InvalidOperationException(
                $"Subpartition {Index} of result partition '{_partition.Owner}' already holds records written after recovery; " +
                "add recovered buffers before writing any record.");
        }
        Write(bytes);
        FinishCurrent();
    }

    /// <summary>
    /// Sends <paramref name="event"/> ahead of every buffer not yet taken by the consuming task (producer thread;
    /// the current buffer is already finished). Returns copies of the finished buffers still queued here, which the
    /// event overtook; they stay queued and are shipped normally after it.
    /// </summary>
    internal byte[][] AddPriorityEvent(RuntimeEvent @event)
    {
        bool notify = false;
        byte[][] overtaken;
        lock (SyncRoot)
        {
            ThrowIfReleasedLocked();
            // Snapshot and delivery happen in one critical section with the shipper, so every buffer is either
            // copied here or counted in the receiver's queue (OvertakenBuffers), never both and never neither.
            overtaken = _backlog == 0 ? [] : new byte[_backlog][];
            int i = 0;
            foreach (var pending in _queue)
            {
                if (pending.Segment is { } segment)
                {
                    overtaken[i++] = segment.Array.AsSpan(0, pending.Size).ToArray();
                }
            }
            var receiver = _receiver;
            if (receiver is null)
            {
                (_priorityBeforeConnect ??= new Queue<RuntimeEvent>()).Enqueue(@event);
            }
            else if (!receiver.Released)
            {
                notify = receiver.EnqueuePriorityLocked(@event); // events need no credit
            }
        }
        if (notify)
        {
            _receiver!.Gate.NotifyListener();
        }
        return overtaken;
    }

    /// <summary>Pairs this subpartition with its receiver and ships what the initial credit allows.</summary>
    internal bool ConnectLocked(InputChannel receiver)
    {
        if (_receiver is not null)
        {
            throw new InvalidOperationException(
                $"Subpartition {Index} of result partition '{_partition.Owner}' is already connected to channel {_receiver.Index} of input gate '{_receiver.Gate.Owner}'.");
        }
        _receiver = receiver;
        bool notify = false;
        if (_priorityBeforeConnect is { } early && !_released)
        {
            // Nothing was shipped yet, so these overtake nothing on the receiving side.
            while (early.TryDequeue(out var @event))
            {
                notify |= receiver.EnqueuePriorityLocked(@event);
            }
        }
        return ShipLocked() | notify;
    }

    /// <summary>
    /// Ships queued buffers against the receiver's credit and events without credit, in order.
    /// Called under <see cref="SyncRoot"/> by whichever thread made progress possible: the producer
    /// after queuing, the consumer after recycling a buffer, the gate after handing out a floating buffer.
    /// Returns true if the receiver's channel became available and the gate's listener must be run
    /// (after the caller leaves the lock).
    /// </summary>
    internal bool ShipLocked()
    {
        var receiver = _receiver;
        if (receiver is null || _released || receiver.Released)
        {
            return false;
        }
        bool notify = false;
        while (true)
        {
            while (_queue.Count > 0)
            {
                var head = _queue.Peek();
                if (head.Event is not null)
                {
                    _queue.Dequeue();
                    notify |= receiver.EnqueueLocked(null, head.Event);
                    continue;
                }
                if (!receiver.TryTakeCreditLocked(out var target))
                {
                    break;
                }
                _queue.Dequeue();
                _backlog--;
                // The in-process "wire": copy into the receiver's buffer, then the sender's segment is free again.
                head.Segment!.Array.AsSpan(0, head.Size).CopyTo(target.Segment.Array);
                target.Size = head.Size;
                notify |= receiver.EnqueueLocked(target, null);
                _partition.RecycleSegment(head.Segment, this);
            }
            // The backlog travels with every buffer (and is announced when credit ran out): the receiver
            // asks its gate for floating buffers to cover what is waiting beyond its free credit.
            int wanted = _backlog - receiver.FreeCreditsLocked;
            if (wanted > 0)
            {
                if (receiver.RequestFloatingLocked(wanted) > 0)
                {
                    continue;
                }
            }
            else if (receiver.HasFloatingDemandLocked)
            {
                receiver.ClearFloatingDemandLocked();
            }
            return notify;
        }
    }

    /// <summary>Stops shipping for good; the partition returns the segments (Release).</summary>
    internal void MarkReleased()
    {
        lock (SyncRoot)
        {
            _released = true;
            _queue.Clear();
            _priorityBeforeConnect?.Clear();
            _backlog = 0;
        }
        CurrentSegment = null;
        CurrentArray = null;
        Position = 0;
    }

    private void ThrowIfReleasedLocked()
    {
        if (_released)
        {
            throw new InvalidOperationException($"Result partition '{_partition.Owner}' was released; no records may be written.");
        }
    }

    private readonly record struct Pending(MemorySegment? Segment, int Size, RuntimeEvent? Event);
}
