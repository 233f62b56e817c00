namespace DataflowCompiler.Network;

/// <summary>What an <see cref="InputGate"/> hands to its task: a buffer of records or an event, and the channel it came from.</summary>
public readonly struct BufferOrEvent
{
    public BufferOrEvent(NetworkBuffer buffer, int channelIndex)
    {
        Buffer = buffer;
        Event = null;
        ChannelIndex = channelIndex;
    }

    public BufferOrEvent(RuntimeEvent @event, int channelIndex)
    {
        Buffer = null;
        Event = @event;
        ChannelIndex = channelIndex;
    }

    /// <summary>A priority event (see <see cref="ResultPartition.BroadcastPriorityEvent"/>) that jumped over <paramref name="overtakenBuffers"/> buffers of its channel.</summary>
    public BufferOrEvent(RuntimeEvent @event, int channelIndex, int overtakenBuffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(overtakenBuffers);
        Buffer = null;
        Event = @event;
        ChannelIndex = channelIndex;
        IsPriority = true;
        OvertakenBuffers = overtakenBuffers;
    }

    public NetworkBuffer? Buffer { get; }
    public RuntimeEvent? Event { get; }
    public int ChannelIndex { get; }
    public bool IsBuffer => Buffer is not null;

    /// <summary>
    /// True for an event sent with <see cref="ResultPartition.BroadcastPriorityEvent"/>: it overtook data of its channel
    /// and is handed out before any other buffer or event of the gate.
    /// </summary>
    public bool IsPriority { get; }

    /// <summary>
    /// For a priority event: how many buffers of its channel it jumped over in the channel's received queue.
    /// Exactly these are the next <see cref="OvertakenBuffers"/> buffers the gate hands out for <see cref="ChannelIndex"/>
    /// (the consumer's share of the in-flight data, to persist as they are taken). Zero otherwise.
    /// </summary>
    public int OvertakenBuffers { get; }
}
