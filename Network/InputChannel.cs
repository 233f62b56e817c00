namespace DataflowCompiler.Network;

/// <summary>
/// The receiving end of one subpartition inside an <see cref="InputGate"/>. Owns
/// <see cref="NetworkSettings.ExclusiveBuffersPerChannel"/> buffers; each free buffer is one credit
/// announced to the sender; asks the gate for floating buffers when the sender's backlog exceeds its credit.
/// </summary>
/// <remarks>
/// Credits, received queue and demand mirror are guarded by the connection lock (<see cref="SyncRoot"/>,
/// the sender's lock once connected). Fields marked "gate lock" are guarded by the gate's lock.
/// </remarks>
public sealed class InputChannel
{
    private readonly object _ownLock = new();
    private readonly Stack<NetworkBuffer> _freeExclusive;
    private readonly Stack<NetworkBuffer> _freeFloating;
    private readonly Queue<Received> _received;
    private readonly Queue<PriorityEvent> _priority; // ahead of everything in _received, first in first out among themselves
    private readonly Action<NetworkBuffer> _recycleExclusive;
    private volatile ResultSubpartition? _sender;
    private int _queuedBuffers;
    private bool _hasFloatingDemand; // connection-lock mirror of FloatingDemand > 0, saves gate locks
    private volatile bool _finished;

    // Gate lock.
    internal bool InAvailableQueue;
    internal bool InPriorityQueue;
    internal bool InWaitingQueue;
    internal bool Blocked;
    internal int FloatingDemand;

    // Connection lock; set once by the gate's Release.
    internal bool Released;

    internal InputChannel(InputGate gate, int index, int exclusiveBuffers, int floatingBuffers)
    {
        Gate = gate;
        Index = index;
        _freeExclusive = new Stack<NetworkBuffer>(exclusiveBuffers);
        _freeFloating = new Stack<NetworkBuffer>(floatingBuffers);
        _received = new Queue<Received>(exclusiveBuffers + floatingBuffers + 4);
        _priority = new Queue<PriorityEvent>(2);
        _recycleExclusive = RecycleExclusive;
    }

    public int Index { get; }

    /// <summary>The gate this channel belongs to.</summary>
    public InputGate Gate { get; }

    /// <summary>Buffers received and not yet taken by the task.</summary>
    public int QueuedBuffers
    {
        get { lock (SyncRoot) { return _queuedBuffers; } }
    }

    /// <summary>True once end-of-partition has been taken from this channel.</summary>
    public bool IsFinished => _finished;

    /// <summary>Free buffers of this channel right now, that is credit not yet used by the sender.</summary>
    public int Credit
    {
        get { lock (SyncRoot) { return FreeCreditsLocked; } }
    }

    /// <summary>The connection lock: the sender's lock once connected.</summary>
    internal object SyncRoot => _sender?.SyncRoot ?? _ownLock;


    internal int FreeCreditsLocked => _freeExclusive.Count + _freeFloating.Count;

    internal bool HasFloatingDemandLocked => _hasFloatingDemand;

    internal NetworkBuffer CreateExclusiveBuffer(Memory.MemorySegment segment)
    {
        var buffer = new NetworkBuffer(segment, 0, _recycleExclusive);
        _freeExclusive.Push(buffer);
        return buffer;
    }

    internal void Connect(ResultSubpartition sender)
    {
        bool notify;
        lock (sender.SyncRoot)
        {
            lock (_ownLock)
            {
                if (_sender is not null)
                {
                    throw new InvalidOperationException(
                        $"Channel {Index} of input gate '{Gate.Owner}' is already connected to subpartition {_sender.Index} of '{_sender.Partition.Owner}'.");
                }
                if (Released)
                {
                    throw new InvalidOperationException($"Input gate '{Gate.Owner}' was released; channel {Index} cannot be connected.");
                }
                // From here on, the sender's lock guards this channel too.
                _sender = sender;
                notify = sender.ConnectLocked(this);
            }
        }
        if (notify)
        {
            Gate.NotifyListener();
        }
    }

    /// <summary>Uses one credit: floating buffers first, so they return to the gate (and to siblings) sooner.</summary>
    internal bool TryTakeCreditLocked(out NetworkBuffer buffer)
    {
        if (_freeFloating.TryPop(out buffer!))
        {
            return true;
        }
        return _freeExclusive.TryPop(out buffer!);
    }

    /// <summary>Appends a shipped buffer or an event; returns true if the gate's listener must run.</summary>
    internal bool EnqueueLocked(NetworkBuffer? buffer, RuntimeEvent? @event)
    {
        bool wasEmpty = _received.Count == 0;
        _received.Enqueue(new Received(buffer, @event));
        if (buffer is not null)
        {
            _queuedBuffers++;
        }
        return wasEmpty && Gate.OnChannelNonEmpty(this);
    }

    /// <summary>
    /// Puts a priority event ahead of everything received and not yet taken (after earlier priority events);
    /// returns true if the gate's listener must run. The event remembers how many buffers it jumped over.
    /// </summary>
    internal bool EnqueuePriorityLocked(RuntimeEvent @event)
    {
        bool wasEmpty = _received.Count == 0 && _priority.Count == 0;
        _priority.Enqueue(new PriorityEvent(@event, _queuedBuffers));
        return Gate.OnChannelPriority(this, wasEmpty);
    }

    /// <summary>
    /// Takes the head for the task (consumer thread, under the connection lock): a priority event if there is one,
    /// else the head of the received queue unless <paramref name="priorityOnly"/>.
    /// </summary>
    internal bool TryDequeueLocked(bool priorityOnly, out Received received, out bool more)
    {
        if (Released)
        {
            received = default;
            more = false;
            return false;
        }
        if (_priority.Count > 0)
        {
            var priority = _priority.Dequeue();
            received = new Received(null, priority.Event, IsPriority: true, priority.OvertakenBuffers);
        }
        else if (priorityOnly || !_received.TryDequeue(out received))
        {
            received = default;
            more = false;
            return false;
        }
        else if (received.Buffer is { } buffer)
        {
            _queuedBuffers--;
            buffer.State = NetworkBuffer.TakenByTask;
        }
        more = _received.Count > 0 || _priority.Count > 0;
        return true;
    }

    internal bool HasReceivedLocked => _received.Count > 0 || _priority.Count > 0;

    internal bool HasPriorityLocked => _priority.Count > 0;

    internal int RequestFloatingLocked(int wanted)
    {
        int given = Gate.RequestFloating(this, wanted, _freeFloating);
        _hasFloatingDemand = given < wanted;
        return given;
    }

    internal void ClearFloatingDemandLocked()
    {
        Gate.ClearFloatingDemand(this);
        _hasFloatingDemand = false;
    }

    /// <summary>A floating buffer the gate assigned to this channel (consumer thread, no lock held).</summary>
    internal void AddFloatingCredit(NetworkBuffer buffer)
    {
        bool notify = false;
        lock (SyncRoot)
        {
            if (Released)
            {
                return; // the gate's Release returns every buffer it did not see taken by the task
            }
            _freeFloating.Push(buffer);
            if (_sender is { } sender)
            {
                notify = sender.ShipLocked();
            }
        }
        if (notify)
        {
            Gate.NotifyListener();
        }
    }

    /// <summary>Moves unused floating credit out (after end of partition) so the gate can give it to siblings.</summary>
    internal void TakeFloatingCredits(Stack<NetworkBuffer> into)
    {
        lock (SyncRoot)
        {
            while (_freeFloating.TryPop(out var buffer))
            {
                into.Push(buffer);
            }
            if (_hasFloatingDemand)
            {
                ClearFloatingDemandLocked();
            }
        }
    }

    internal void MarkFinished() => _finished = true;

    internal void MarkReleased()
    {
        lock (SyncRoot)
        {
            Released = true;
            _received.Clear();
            _priority.Clear();
            _queuedBuffers = 0;
        }
    }

    // The task gives an exclusive buffer back: one more credit, and maybe a waiting buffer can be shipped now.
    private void RecycleExclusive(NetworkBuffer buffer)
    {
        bool notify = false;
        lock (SyncRoot)
        {
            if (buffer.State != NetworkBuffer.TakenByTask)
            {
                throw new InvalidOperationException($"A buffer of channel {Index} of input gate '{Gate.Owner}' was recycled twice.");
            }
            if (Released)
            {
                buffer.State = NetworkBuffer.ReturnedToPool;
                buffer.Segment.Return();
                return;
            }
            buffer.State = NetworkBuffer.HeldByExchange;
            _freeExclusive.Push(buffer);
            if (_sender is { } sender)
            {
                notify = sender.ShipLocked();
            }
        }
        if (notify)
        {
            Gate.NotifyListener();
        }
    }

    internal readonly record struct Received(NetworkBuffer? Buffer, RuntimeEvent? Event, bool IsPriority = false, int OvertakenBuffers = 0);

    private readonly record struct PriorityEvent(RuntimeEvent Event, int OvertakenBuffers);
}
