namespace DataflowCompiler.Sources;

/// <summary>
/// Walks one subtask's contiguous chunk of an inclusive range of longs. Shared by the sequence
/// and generator sources so both split work the same way.
/// </summary>
/// <remarks>
/// The range [from, to] holds n = to − from + 1 values; subtask i of p gets
/// [from + ⌊i·n/p⌋, from + ⌊(i+1)·n/p⌋ − 1]. Chunks are contiguous, in subtask order, cover the
/// range exactly once, and differ in size by at most one; a subtask beyond n gets an empty chunk.
/// Int128 keeps the arithmetic exact for the full long range.
/// </remarks>
internal struct RangeCursor
{
    private readonly long _first;
    private readonly Int128 _count;
    private Int128 _emitted;

    private RangeCursor(long first, Int128 count)
    {
        _first = first;
        _count = count;
        _emitted = 0;
    }

    /// <summary>The chunk of subtask <paramref name="subtaskIndex"/>; an empty range when <paramref name="from"/> &gt; <paramref name="to"/>.</summary>
    public static RangeCursor ForSubtask(long from, long to, int subtaskIndex, int parallelism)
    {
        if (parallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be at least 1.");
        if ((uint)subtaskIndex >= (uint)parallelism)
            throw new ArgumentOutOfRangeException(nameof(subtaskIndex), subtaskIndex, $"Subtask index must be in [0, {parallelism}).");

        Int128 total = from > to ? 0 : (Int128)to - from + 1;
        Int128 start = total * subtaskIndex / parallelism;
        Int128 end = total * (subtaskIndex + 1) / parallelism;
        return new RangeCursor(total == 0 ? 0 : (long)((Int128)from + start), end - start);
    }

    /// <summary>The first value of the chunk (meaningless when the chunk is empty).</summary>
    public readonly long First => _first;

    /// <summary>How many values the chunk holds.</summary>
    public readonly Int128 Count => _count;

    /// <summary>Values handed out so far; the checkpointable position.</summary>
    public readonly long Emitted => (long)_emitted;

    public bool TryNext(out long value)
    {
        if (_emitted >= _count)
        {
            value = 0;
            return false;
        }

        // Adding in Int128 avoids overflow when the chunk ends at long.MaxValue.
        value = (long)((Int128)_first + _emitted);
        _emitted++;
        return true;
    }

    public void Seek(long position)
    {
        if (position < 0 || position > _count)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"Position must be in [0, {_count}] for this subtask's chunk.");
        _emitted = position;
    }
}
