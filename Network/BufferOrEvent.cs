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

    public NetworkBuffer? Buffer { get; }
    public RuntimeEvent? Event { get; }
    public int ChannelIndex { get; }
    public bool IsBuffer => Buffer is not null;
}
