namespace DataflowCompiler.Memory;

/// <summary>
/// A fixed-size block of memory (32 KiB by default) handed out by a <see cref="MemorySegmentPool"/>.
/// Records, network buffers and state entries are written into segments in binary form.
/// Ownership is explicit: whoever rents a segment returns it exactly once.
/// </summary>
public sealed class MemorySegment
{
    /// <summary>The default segment size, 32 KiB, as in the design.</summary>
    public const int DefaultSize = 32 * 1024;

    private readonly byte[] _array;
    internal int RentState; // 0 = free in its pool, 1 = rented; guards against double returns

    internal MemorySegment(byte[] array, MemorySegmentPool? owner)
    {
        _array = array;
        Owner = owner;
    }

    /// <summary>Allocates a segment that belongs to no pool (tests and tools only).</summary>
    public static MemorySegment AllocateUnpooled(int size = DefaultSize) =>
        new(GC.AllocateUninitializedArray<byte>(size, pinned: true), owner: null);

    /// <summary>The pool this segment returns to, or null for an unpooled segment.</summary>
    public MemorySegmentPool? Owner { get; }

    /// <summary>Size of the segment in bytes.</summary>
    public int Size => _array.Length;

    /// <summary>The whole segment as a span.</summary>
    public Span<byte> Span => _array;

    /// <summary>The whole segment as memory.</summary>
    public Memory<byte> Memory => _array;

    /// <summary>The backing array (pinned for pooled segments). Hot paths index it directly.</summary>
    public byte[] Array => _array;

    /// <summary>Returns this segment to its pool. No-op for unpooled segments.</summary>
    public void Return() => Owner?.Return(this);
}
