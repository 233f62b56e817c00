using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// A filled (or partly filled) memory segment travelling through the exchange. The consumer
/// calls <see cref="Recycle"/> exactly once when it has read the bytes; that frees a credit.
/// </summary>
public sealed class NetworkBuffer
{
    private readonly Action<NetworkBuffer>? _recycler;

    public NetworkBuffer(MemorySegment segment, int size, Action<NetworkBuffer>? recycler)
    {
        Segment = segment;
        Size = size;
        _recycler = recycler;
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
