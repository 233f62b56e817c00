namespace DataflowCompiler.Sources;

/// <summary>
/// A bounded, non-parallel source that emits the items of a collection in order
/// (Flink's <c>fromCollection</c>).
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class CollectionSource<T> : ISource<T>
{
    private readonly T[] _items;

    /// <summary>Copies <paramref name="items"/> once, so later changes to the collection do not reach the job.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    public CollectionSource(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
    }

    /// <inheritdoc/>
    public Boundedness Boundedness => Boundedness.Bounded;

    /// <inheritdoc/>
    public int MaxParallelism => 1;

    /// <inheritdoc/>
    public string Name => "Collection";

    /// <summary>How many items the source emits.</summary>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        SourceGuards.RequireNonParallel(context, Name);
        return new Reader(_items);
    }

    /// <summary>Emits the array from <see cref="Index"/> on; the array is shared, never written.</summary>
    internal sealed class Reader : ISourceReader<T>, IPositionedReader
    {
        private readonly T[] _items;

        internal Reader(T[] items) => _items = items;

        /// <summary>Records emitted so far, which is also the index of the next one.</summary>
        internal int Index { get; private set; }

        /// <inheritdoc/>
        public long Position => Index;

        /// <inheritdoc/>
        public void Seek(long position)
        {
            if (position < 0 || position > _items.Length)
                throw new ArgumentOutOfRangeException(nameof(position), position, $"Position must be in [0, {_items.Length}] for a collection of {_items.Length} items.");
            Index = (int)position;
        }

        /// <inheritdoc/>
        public ReadStatus PollNext(out T record)
        {
            if (Index < _items.Length)
            {
                record = _items[Index++];
                return ReadStatus.Record;
            }

            record = default!;
            return ReadStatus.EndOfInput;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
        }
    }
}
