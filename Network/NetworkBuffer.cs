using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// A filled (or partly filled) memory segment travelling through the exchange. The consumer
/// calls <see cref="Recycle"/> exactly once when it has read the bytes; that frees a credit.
/// </summary>
/// <remarks>
/// Buffers of an <see cref="InputGate"/> are created once with their segment and reused for the
/// gate's whole life, so moving a buffer through the exchange allocates nothing.
/// </remarks>
public sealed class NetworkBuffer
{
    // Life cycle of a receiver buffer; decides who returns the segment when the gate is released.
    internal const int HeldByExchange = 0; // free credit, queued in a channel, or in transit to a channel
    internal const int TakenByTask = 1;    // handed out by InputGate.TryGetNext, not yet recycled
    internal const int ReturnedToPool = 2; // the gate was released and the segment went back to its pool

    private readonly Action<NetworkBuffer>? _recycler;
    internal int State;

    public NetworkBuffer(MemorySegment segment, int size, Action<NetworkBuffer>? recycler)
    {
        Segment = segment;
        Size = size;
        _recycler = recycler;
    }

    /// <summary>
    /// A buffer over a private copy of <paramref name="bytes"/> that belongs to no pool and no channel: recycling it does nothing.
    /// Used to feed recovered channel state (persisted in-flight bytes) through the normal deserializer path.
    /// </summary>
    public static NetworkBuffer CreateUnpooled(ReadOnlySpan<byte> bytes)
    {
        var segment = MemorySegment.AllocateUnpooled(Math.Max(1, bytes.Length));
        bytes.CopyTo(segment.Span);
        return new NetworkBuffer(segment, bytes.Length, recycler: null);
    }

    /// <summary>The segment that holds the bytes.</summary>
    public MemorySegment Segment { get; }

    /// <summary>Number of valid bytes from the start of the segment.</summary>
    public int Size { get; internal set; }

    /// <summary>The valid bytes.</summary>
    public ReadOnlySpan<byte> Data => Segment.Span[..Size];

    /// <summary>Gives the buffer back to whoever lent it (a channel's exclusive buffers, a gate's floating pool, or a pool).</summary>
    public void Recycle()
    {
        if (_recycler is null)
        {
            Segment.Return();
        }
        else
        {
            _recycler(this);
        }
    }
}
