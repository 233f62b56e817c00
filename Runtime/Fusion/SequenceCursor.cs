namespace DataflowCompiler.Fusion;

/// <summary>
/// A fused <c>FromSequence</c> source: one subtask's chunk of the range, split exactly as
/// <see cref="Sources.SequenceSource"/> splits it, walked with plain 64-bit arithmetic in a struct the fused loop
/// keeps in registers. A chunk of more than 2^64 − 1 values (only the full long range at parallelism 1) stops
/// one value short.
/// </summary>
public struct SequenceCursor
{
    private readonly long _first;
    private long _next;
    private ulong _remaining;

    internal SequenceCursor(long first, Int128 count)
    {
        _first = first;
        _next = first;
        _remaining = count > ulong.MaxValue ? ulong.MaxValue : (ulong)count;
    }

    /// <summary>Values handed out so far: the position a checkpoint saves.</summary>
    public readonly long Position => unchecked(_next - _first);

    /// <summary>Skips the first <paramref name="position"/> values (restoring a checkpoint's position).</summary>
    internal void Seek(long position)
    {
        ulong skip = Math.Min((ulong)position, _remaining);
        _next = unchecked(_first + (long)skip);
        _remaining -= skip;
    }

    /// <summary>The next value of the chunk, if any.</summary>
    public bool TryNext(out long value)
    {
        if (_remaining == 0)
        {
            value = 0;
            return false;
        }
        value = _next;
        _next = unchecked(_next + 1);
        _remaining--;
        return true;
    }
}
