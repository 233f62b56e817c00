namespace DataflowCompiler.Sinks;

/// <summary>
/// A sink that keeps every record in memory, for tests and small jobs. Thread-safe: writers of
/// all subtasks may run at once while results are read.
/// </summary>
/// <remarks>
/// Each writer appends to a list only its own task thread touches and publishes it to the sink
/// under a lock on every <see cref="ISinkWriter{T}.Flush"/> and on dispose, so the per-record
/// path takes no lock. Records are therefore visible after the writer's next flush, and all of
/// them once the job has finished (<c>Flush(true)</c> or dispose). A restarted subtask appends
/// again, so without checkpoint-based recovery a job with failures may show duplicates.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class CollectSink<T> : ISink<T>
{
    private readonly object _gate = new();
    private readonly SortedDictionary<int, List<T>> _published = new();

    /// <inheritdoc/>
    public string Name => "Collect";

    /// <summary>
    /// All published records: the lists of the subtasks concatenated in subtask-index order, each
    /// in the order its subtask wrote them. A snapshot; later writes do not change it.
    /// </summary>
    public IReadOnlyList<T> Results
    {
        get
        {
            lock (_gate)
            {
                var all = new List<T>(_published.Values.Sum(list => list.Count));
                foreach (var list in _published.Values)
                    all.AddRange(list);
                return all;
            }
        }
    }

    /// <summary>The published records of one subtask, in write order (empty if it wrote none). A snapshot.</summary>
    public IReadOnlyList<T> ResultsOfSubtask(int subtaskIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subtaskIndex);
        lock (_gate)
            return _published.TryGetValue(subtaskIndex, out var list) ? list.ToArray() : [];
    }

    /// <summary>Forgets all published records, e.g. between runs of a job with the same sink.</summary>
    public void Clear()
    {
        lock (_gate)
            _published.Clear();
    }

    /// <inheritdoc/>
    public ISinkWriter<T> CreateWriter(SinkWriterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Writer(this, context.SubtaskIndex);
    }

    private void Publish(int subtaskIndex, List<T> records)
    {
        lock (_gate)
        {
            if (!_published.TryGetValue(subtaskIndex, out var list))
                _published.Add(subtaskIndex, list = new List<T>(records.Count));
            list.AddRange(records);
        }
    }

    private sealed class Writer : ISinkWriter<T>
    {
        private readonly CollectSink<T> _sink;
        private readonly int _subtaskIndex;
        private readonly List<T> _pending = new();
        private bool _disposed;

        public Writer(CollectSink<T> sink, int subtaskIndex)
        {
            _sink = sink;
            _subtaskIndex = subtaskIndex;
        }

        public void Write(T record)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pending.Add(record);
        }

        public void Flush(bool endOfInput)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Publish();
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            Publish();
            _disposed = true;
        }

        private void Publish()
        {
            // Publish even when empty so a subtask that wrote nothing still counts as having run.
            _sink.Publish(_subtaskIndex, _pending);
            _pending.Clear();
        }
    }
}
