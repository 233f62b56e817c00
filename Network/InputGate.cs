using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// The input of one consuming subtask: one <see cref="InputChannel"/> per upstream subpartition
/// and a pool of floating buffers. Reserves <see cref="NetworkSettings.GateBuffers"/> segments when
/// created and returns them on <see cref="Release"/>. Read by its owning task thread only;
/// <see cref="SetAvailabilityListener"/> is called from any thread when input may have arrived.
/// </summary>
/// <remarks>
/// The gate's lock guards the queue of channels with data (round robin), blocked flags, the free
/// floating buffers and the channels waiting for them. It is taken inside a connection lock, never
/// the other way round: when the gate hands a floating buffer to a channel it leaves its lock first.
/// </remarks>
public sealed class InputGate
{
    private readonly object _lock = new();
    private readonly InputChannel[] _channels;
    private readonly NetworkBuffer[] _all;
    private readonly Queue<InputChannel> _available;
    private readonly Queue<InputChannel> _priorityAvailable; // channels with a priority event; served before _available
    private readonly Queue<InputChannel> _waitingForFloating;
    private readonly Stack<NetworkBuffer> _freeFloating;
    private readonly Stack<NetworkBuffer> _scratch; // consumer thread only
    private volatile Action? _listener;
    private int _finishedChannels;
    private bool _released;

    public InputGate(string owner, int numberOfChannels, MemorySegmentPool pool, NetworkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(settings);
        if (numberOfChannels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numberOfChannels), numberOfChannels, $"Input gate '{owner}' needs at least one channel.");
        }
        settings.ValidateForGate(owner);

        Owner = owner;
        Settings = settings;
        int exclusive = settings.ExclusiveBuffersPerChannel;
        int floating = settings.FloatingBuffersPerGate;
        var segments = SegmentReservation.Reserve(pool, settings.GateBuffers(numberOfChannels),
            $"Input gate '{owner}' ({numberOfChannels} channels × {exclusive} exclusive + {floating} floating)");

        _all = new NetworkBuffer[segments.Length];
        _channels = new InputChannel[numberOfChannels];
        int next = 0;
        for (int i = 0; i < numberOfChannels; i++)
        {
            var channel = new InputChannel(this, i, exclusive, floating);
            for (int j = 0; j < exclusive; j++, next++)
            {
                _all[next] = channel.CreateExclusiveBuffer(segments[next]);
            }
            _channels[i] = channel;
        }
        Action<NetworkBuffer> recycleFloating = RecycleFloating;
        _freeFloating = new Stack<NetworkBuffer>(floating);
        for (; next < segments.Length; next++)
        {
            var buffer = new NetworkBuffer(segments[next], 0, recycleFloating);
            _all[next] = buffer;
            _freeFloating.Push(buffer);
        }
        _available = new Queue<InputChannel>(numberOfChannels);
        _priorityAvailable = new Queue<InputChannel>(numberOfChannels);
        _waitingForFloating = new Queue<InputChannel>(numberOfChannels);
        _scratch = new Stack<NetworkBuffer>(floating);
    }

    public string Owner { get; }
    public int NumberOfChannels => _channels.Length;
    public InputChannel GetChannel(int index) => _channels[index];

    /// <summary>The settings this gate was created with.</summary>
    public NetworkSettings Settings { get; }

    /// <summary>Floating buffers not lent to any channel right now.</summary>
    public int AvailableFloatingBuffers
    {
        get { lock (_lock) { return _freeFloating.Count; } }
    }

    /// <summary>True once every channel delivered end-of-partition to the task.</summary>
    public bool IsFinished => Volatile.Read(ref _finishedChannels) == _channels.Length;

    /// <summary>Takes the next buffer or event from any unblocked channel, without waiting. Buffers go back with <see cref="NetworkBuffer.Recycle"/>.</summary>
    /// <remarks>
    /// Priority events (<see cref="BufferOrEvent.IsPriority"/>) come before any other buffer or event of the gate, in
    /// order per channel and taking turns among channels, and also from a blocked channel: they are control messages
    /// that must not wait behind data. Otherwise channels with data take turns (one buffer or event each), so a busy
    /// channel cannot starve its siblings.
    /// </remarks>
    public bool TryGetNext(out BufferOrEvent next)
    {
        while (true)
        {
            InputChannel channel;
            bool priority;
            lock (_lock)
            {
                if (_released)
                {
                    next = default;
                    return false;
                }
                if (_priorityAvailable.TryDequeue(out channel!))
                {
                    channel.InPriorityQueue = false;
                    priority = true;
                }
                else if (_available.TryDequeue(out channel!))
                {
                    channel.InAvailableQueue = false;
                    priority = false;
                    if (channel.Blocked)
                    {
                        continue; // ResumeChannel puts it back
                    }
                }
                else
                {
                    next = default;
                    return false;
                }
            }

            InputChannel.Received received;
            bool more;
            bool morePriority = false;
            lock (channel.SyncRoot)
            {
                // A channel taken for its priority event may have lost it to the round robin in between: then skip it.
                if (!channel.TryDequeueLocked(priority, out received, out more))
                {
                    continue;
                }
                if (priority)
                {
                    morePriority = channel.HasPriorityLocked;
                }
            }
            if (more)
            {
                lock (_lock)
                {
                    if (morePriority)
                    {
                        EnqueuePriorityLocked(channel);
                    }
                    // Back to the tail: round robin among channels with data. A channel served for its priority
                    // event normally still sits in the available queue, and then keeps its place there.
                    EnqueueAvailableLocked(channel);
                }
            }

            if (received.Buffer is { } buffer)
            {
                next = new BufferOrEvent(buffer, channel.Index);
            }
            else if (received.IsPriority)
            {
                next = new BufferOrEvent(received.Event!, channel.Index, received.OvertakenBuffers);
            }
            else
            {
                if (received.Event is EndOfPartitionEvent)
                {
                    OnEndOfPartition(channel);
                }
                next = new BufferOrEvent(received.Event!, channel.Index);
            }
            return true;
        }
    }

    /// <summary>Registers a callback run (on any thread) when a buffer or event arrives or a channel is resumed.</summary>
    /// <remarks>
    /// It runs when a channel goes from "nothing to take" to "something to take", outside every lock of the
    /// exchange, so it should only signal the task (for example release a semaphore or post to its mailbox).
    /// </remarks>
    public void SetAvailabilityListener(Action listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listener = listener;
    }

    /// <summary>Stops handing out data of a channel (barrier alignment); its sender keeps its credits and then stalls.</summary>
    public void BlockChannel(int index)
    {
        var channel = _channels[index];
        lock (_lock)
        {
            // Stays in the available queue if it is there; TryGetNext skips it.
            channel.Blocked = true;
        }
    }

    /// <summary>Resumes a blocked channel.</summary>
    public void ResumeChannel(int index)
    {
        var channel = _channels[index];
        lock (_lock)
        {
            if (!channel.Blocked)
            {
                return;
            }
            channel.Blocked = false;
        }
        bool hasData;
        lock (channel.SyncRoot)
        {
            hasData = channel.HasReceivedLocked;
        }
        bool added = false;
        if (hasData)
        {
            lock (_lock)
            {
                added = EnqueueAvailableLocked(channel);
            }
        }
        if (added)
        {
            NotifyListener();
        }
    }

    /// <summary>Whether a channel is blocked by <see cref="BlockChannel"/>.</summary>
    public bool IsBlocked(int index)
    {
        var channel = _channels[index];
        lock (_lock)
        {
            return channel.Blocked;
        }
    }

    /// <summary>
    /// Returns every segment (exclusive, floating and queued). Idempotent. A buffer the task still holds
    /// goes back to the pool when the task recycles it.
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
            _available.Clear();
            _priorityAvailable.Clear();
            _waitingForFloating.Clear();
            _freeFloating.Clear();
        }
        // Once every channel is marked under its connection lock, nobody ships into, queues or hands out
        // a receiver buffer again; whatever the task does not hold can go back exactly once.
        foreach (var channel in _channels)
        {
            channel.MarkReleased();
        }
        foreach (var buffer in _all)
        {
            if (Interlocked.CompareExchange(ref buffer.State, NetworkBuffer.ReturnedToPool, NetworkBuffer.HeldByExchange) == NetworkBuffer.HeldByExchange)
            {
                buffer.Segment.Return();
            }
        }
    }

    internal void NotifyListener() => _listener?.Invoke();

    /// <summary>A channel's received queue went from empty to non-empty (under its connection lock).</summary>
    internal bool OnChannelNonEmpty(InputChannel channel)
    {
        lock (_lock)
        {
            return !_released && EnqueueAvailableLocked(channel);
        }
    }

    /// <summary>
    /// A priority event was put at the front of a channel's received queue (under its connection lock); returns true
    /// if the listener must run. A channel that was empty also joins the round robin, for the data that follows.
    /// </summary>
    internal bool OnChannelPriority(InputChannel channel, bool wasEmpty)
    {
        lock (_lock)
        {
            if (_released)
            {
                return false;
            }
            bool added = EnqueuePriorityLocked(channel);
            if (wasEmpty)
            {
                added |= EnqueueAvailableLocked(channel);
            }
            return added;
        }
    }

    /// <summary>
    /// Lends up to <paramref name="wanted"/> free floating buffers to a channel (under its connection lock);
    /// what cannot be given now is remembered and served when floating buffers are recycled.
    /// </summary>
    internal int RequestFloating(InputChannel channel, int wanted, Stack<NetworkBuffer> credits)
    {
        lock (_lock)
        {
            if (_released)
            {
                return 0;
            }
            int given = 0;
            while (given < wanted && _freeFloating.TryPop(out var buffer))
            {
                credits.Push(buffer);
                given++;
            }
            channel.FloatingDemand = wanted - given;
            if (channel.FloatingDemand > 0 && !channel.InWaitingQueue)
            {
                channel.InWaitingQueue = true;
                _waitingForFloating.Enqueue(channel);
            }
            return given;
        }
    }

    internal void ClearFloatingDemand(InputChannel channel)
    {
        lock (_lock)
        {
            channel.FloatingDemand = 0; // removed lazily from the waiting queue
        }
    }

    private bool EnqueueAvailableLocked(InputChannel channel)
    {
        if (channel.InAvailableQueue || channel.Blocked)
        {
            return false;
        }
        channel.InAvailableQueue = true;
        _available.Enqueue(channel);
        return true;
    }

    private bool EnqueuePriorityLocked(InputChannel channel)
    {
        if (channel.InPriorityQueue)
        {
            return false;
        }
        channel.InPriorityQueue = true;
        _priorityAvailable.Enqueue(channel);
        return true;
    }

    private void OnEndOfPartition(InputChannel channel)
    {
        channel.MarkFinished();
        Interlocked.Increment(ref _finishedChannels);
        // Its sender is done: unused floating credit goes back so siblings can use it.
        channel.TakeFloatingCredits(_scratch);
        while (_scratch.TryPop(out var buffer))
        {
            GiveFloating(buffer);
        }
    }

    // The task gives a floating buffer back: to a channel still waiting by backlog, else to the free stack.
    private void RecycleFloating(NetworkBuffer buffer)
    {
        lock (_lock)
        {
            if (buffer.State != NetworkBuffer.TakenByTask)
            {
                throw new InvalidOperationException($"A floating buffer of input gate '{Owner}' was recycled twice.");
            }
            if (_released)
            {
                buffer.State = NetworkBuffer.ReturnedToPool;
                buffer.Segment.Return();
                return;
            }
            buffer.State = NetworkBuffer.HeldByExchange;
        }
        GiveFloating(buffer);
    }

    private void GiveFloating(NetworkBuffer buffer)
    {
        InputChannel? target;
        lock (_lock)
        {
            if (_released)
            {
                return; // held by the exchange: Release returns it
            }
            target = TakeWaitingChannelLocked();
            if (target is null)
            {
                _freeFloating.Push(buffer);
                return;
            }
        }
        // Outside the gate's lock: the channel takes its connection lock and may ship at once.
        target.AddFloatingCredit(buffer);
    }

    private InputChannel? TakeWaitingChannelLocked()
    {
        while (_waitingForFloating.TryDequeue(out var channel))
        {
            channel.InWaitingQueue = false;
            if (channel.FloatingDemand <= 0)
            {
                continue;
            }
            channel.FloatingDemand--;
            if (channel.FloatingDemand > 0)
            {
                // Round robin among waiting channels.
                channel.InWaitingQueue = true;
                _waitingForFloating.Enqueue(channel);
            }
            return channel;
        }
        return null;
    }
}
