namespace DataflowCompiler.Sources;

/// <summary>
/// A parallel source that emits <c>generator(index)</c> for the indices 0..count−1
/// (Flink's <c>DataGeneratorSource</c>).
/// </summary>
/// <remarks>
/// Indices are split like <see cref="SequenceSource"/> splits its range: subtask i of p gets the
/// contiguous chunk [⌊i·count/p⌋, ⌊(i+1)·count/p⌋) and walks it in ascending order, so every
/// index is generated exactly once across subtasks and a restored reader regenerates the same
/// records. A count of <see cref="long.MaxValue"/> (or <see cref="Unbounded"/>) makes the source
/// unbounded; as in Flink, the chunks are still split, so subtask i &gt; 0 starts at a large index.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class GeneratorSource<T> : ISource<T>
{
    private readonly Func<long, T> _generator;

    /// <param name="generator">Maps an index to its record; must be a pure function of the index so recovery reproduces records.</param>
    /// <param name="count">How many records to generate; <see cref="long.MaxValue"/> means unbounded.</param>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public GeneratorSource(Func<long, T> generator, long count)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _generator = generator;
        Count = count;
    }

    /// <summary>An unbounded generator source (count <see cref="long.MaxValue"/>).</summary>
    public static GeneratorSource<T> Unbounded(Func<long, T> generator) => new(generator, long.MaxValue);

    /// <summary>How many records the source generates over all subtasks.</summary>
    public long Count { get; }

    /// <inheritdoc/>
    public Boundedness Boundedness => Count == long.MaxValue ? Boundedness.ContinuousUnbounded : Boundedness.Bounded;

    /// <summary>No limit of its own: a subtask beyond the count simply gets no indices.</summary>
    public int MaxParallelism => int.MaxValue;

    /// <inheritdoc/>
    public string Name => "Generator";

    /// <inheritdoc/>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cursor = RangeCursor.ForSubtask(0, Count - 1, context.SubtaskIndex, context.Parallelism);
        return new Reader(_generator, cursor, context);
    }

    internal sealed class Reader : ISourceReader<T>, IPositionedReader
    {
        private readonly Func<long, T> _generator;
        private readonly SourceReaderContext _context;
        private RangeCursor _cursor;

        internal Reader(Func<long, T> generator, RangeCursor cursor, SourceReaderContext context)
        {
            _generator = generator;
            _cursor = cursor;
            _context = context;
        }

        /// <summary>Indices generated so far by this subtask.</summary>
        public long Position => _cursor.Emitted;

        public void Seek(long position) => _cursor.Seek(position);

        public ReadStatus PollNext(out T record)
        {
            if (!_cursor.TryNext(out long index))
            {
                record = default!;
                return ReadStatus.EndOfInput;
            }

            try
            {
                record = _generator(index);
            }
            catch (Exception ex)
            {
                // User code failed: name the index so the failure can be reproduced in isolation.
                throw new InvalidOperationException(
                    $"Generator source: the generator threw for index {index} in task '{_context.TaskName}' (subtask {_context.SubtaskIndex}).", ex);
            }

            return ReadStatus.Record;
        }

        public void Dispose()
        {
        }
    }
}
