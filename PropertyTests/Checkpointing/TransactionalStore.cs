namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>
/// An external transactional store as Kafka-like systems look: transactions by id, writes go into an open
/// transaction, prepare makes it durable but invisible, commit makes it visible and is idempotent, abort discards.
/// It outlives the job's attempts, as an external system does. Thread-safe.
/// </summary>
public sealed class TransactionalStore
{
    private readonly object _gate = new();
    private readonly Dictionary<long, (int Subtask, List<Result> Records)> _open = [];
    private readonly Dictionary<long, (int Subtask, List<Result> Records)> _prepared = [];
    private readonly HashSet<long> _committedIds = [];
    private readonly List<Result> _committed = [];
    private readonly List<string> _violations = [];
    private long _nextId;

    /// <summary>
    /// Calls the two-phase-commit protocol forbids (a commit of an aborted transaction, an abort of a committed one, a
    /// write after prepare...). Each also throws, which fails the job; a restart could hide that, so the property checks this list.
    /// </summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return [.. _violations];
            }
        }
    }

    /// <summary>The committed records in commit order.</summary>
    public IReadOnlyList<Result> Committed
    {
        get
        {
            lock (_gate)
            {
                return [.. _committed];
            }
        }
    }

    /// <summary>Prepared transactions not yet committed (what a crash would leave for recovery).</summary>
    public int PreparedCount
    {
        get
        {
            lock (_gate)
            {
                return _prepared.Count;
            }
        }
    }

    public long Begin(int subtask)
    {
        lock (_gate)
        {
            long id = ++_nextId;
            _open[id] = (subtask, []);
            return id;
        }
    }

    public void Write(long id, Result record)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(id, out var transaction))
            {
                throw Violation($"Write into transaction {id}, which is not open.");
            }
            transaction.Records.Add(record);
        }
    }

    public void Prepare(long id)
    {
        lock (_gate)
        {
            if (!_open.Remove(id, out var transaction))
            {
                throw Violation($"Prepare of transaction {id}, which is not open.");
            }
            _prepared[id] = transaction;
        }
    }

    /// <summary>Makes a prepared transaction visible; committing a committed one again does nothing.</summary>
    public void Commit(long id)
    {
        lock (_gate)
        {
            if (_committedIds.Contains(id))
            {
                return;
            }
            if (!_prepared.Remove(id, out var transaction))
            {
                throw Violation($"Commit of transaction {id}, which is not prepared (aborted or never prepared).");
            }
            _committed.AddRange(transaction.Records);
            _committedIds.Add(id);
        }
    }

    public void Abort(long id)
    {
        lock (_gate)
        {
            if (_committedIds.Contains(id))
            {
                throw Violation($"Abort of transaction {id}, which is committed.");
            }
            _open.Remove(id);
            _prepared.Remove(id);
        }
    }

    /// <summary>Aborts the open and prepared transactions of the subtasks <paramref name="owns"/> accepts that are not in <paramref name="keep"/>.</summary>
    public void AbortLeftovers(Func<int, bool> owns, IReadOnlyCollection<long> keep)
    {
        lock (_gate)
        {
            foreach (var id in _open.Where(t => owns(t.Value.Subtask) && !keep.Contains(t.Key)).Select(t => t.Key).ToList())
            {
                _open.Remove(id);
            }
            foreach (var id in _prepared.Where(t => owns(t.Value.Subtask) && !keep.Contains(t.Key)).Select(t => t.Key).ToList())
            {
                _prepared.Remove(id);
            }
        }
    }

    private InvalidOperationException Violation(string message)
    {
        _violations.Add(message);
        return new InvalidOperationException(message);
    }
}
