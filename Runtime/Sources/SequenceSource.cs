namespace DataflowCompiler.Sources;

/// <summary>
/// A bounded, parallel source of the longs <c>from</c>..<c>to</c>, both inclusive
/// (Flink's <c>fromSequence</c>).
/// </summary>
/// <remarks>
/// The range is split into contiguous chunks, one per subtask, in subtask order: with
/// n = to − from + 1 values and parallelism p, subtask i emits
/// [from + ⌊i·n/p⌋, from + ⌊(i+1)·n/p⌋ − 1] in ascending order. Chunk sizes differ by at most
/// one, and subtasks beyond n get nothing. Each reader's position is the number of values it
/// has emitted.
/// </remarks>
public sealed class SequenceSource : ISource<long>
{
    /// <exception cref="ArgumentException"><paramref name="from"/> is greater than <paramref name="to"/>.</exception>
    public SequenceSource(long from, long to)
    {
        if (from > to)
            throw new ArgumentException($"Sequence source: 'from' ({from}) must not be greater than 'to' ({to}).", nameof(from));
        From = from;
        To = to;
    }

    /// <summary>The first value, inclusive.</summary>
    public long From { get; }

    /// <summary>The last value, inclusive.</summary>
    public long To { get; }

    /// <inheritdoc/>
    public Boundedness Boundedness => Boundedness.Bounded;

    /// <summary>No limit of its own: a subtask beyond the range's size simply gets an empty chunk.</summary>
    public int MaxParallelism => int.MaxValue;

    /// <inheritdoc/>
    public string Name => "Sequence";

    /// <inheritdoc/>
    public ISourceReader<long> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Reader(RangeCursor.ForSubtask(From, To, context.SubtaskIndex, context.Parallelism));
    }

    internal sealed class Reader : ISourceReader<long>, IPositionedReader
    {
        private RangeCursor _cursor;

        internal Reader(RangeCursor cursor) => _cursor = cursor;

        /// <summary>Values emitted so far.</summary>
        public long Position => _cursor.Emitted;

        public void Seek(long position) => _cursor.Seek(position);

        public ReadStatus PollNext(out long record) =>
            _cursor.TryNext(out record) ? ReadStatus.Record : ReadStatus.EndOfInput;

        public void Dispose()
        {
        }
    }
}
