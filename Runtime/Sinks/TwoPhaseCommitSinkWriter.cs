using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Sinks;

/// <summary>
/// The writer of one subtask of a <see cref="TwoPhaseCommitSink{T,TTransaction}"/>: runs the two-phase-commit protocol
/// around the transaction methods a subclass implements. Called only from the task thread.
/// </summary>
/// <remarks>
/// <para>The protocol, as in Flink:</para>
/// <list type="bullet">
/// <item><see cref="InitializeState"/>: on restore, commit (<see cref="RecoverAndCommit"/>) every transaction the
/// checkpoint recorded as pre-committed, in checkpoint order, and abort (<see cref="RecoverAndAbort"/>) the transaction
/// that was open when the checkpoint was taken; then <see cref="CleanupLeftovers"/> removes what a failed attempt left
/// that no checkpoint recorded; then a new transaction begins.</item>
/// <item><see cref="SnapshotState"/> for checkpoint n: pre-commit the open transaction, record it as pending for n,
/// begin a new one, and store the pending transactions and the new open one in operator state.</item>
/// <item><see cref="NotifyCheckpointComplete"/>(n): commit the pending transactions of checkpoints ≤ n, oldest first.
/// <see cref="NotifyCheckpointAborted"/> keeps them: a later completion commits them.</item>
/// <item><see cref="Flush"/> at the end of input: without checkpointing, pre-commit and commit the open transaction.
/// With checkpointing it does nothing: the final checkpoint taken after the end of input commits it.</item>
/// <item><see cref="Dispose()"/> aborts the open transaction; pending ones stay for recovery to commit.</item>
/// </list>
/// <para><see cref="Commit"/> must be idempotent: after a failure between the commit and the next checkpoint, the
/// restored writer commits the same transaction again.</para>
/// <para>The transactions are kept in union list state, each with the index of the subtask that wrote it, so that
/// after a change of parallelism subtask i takes over the transactions of the old subtasks j with j mod parallelism
/// = i, and every subtask knows every recorded transaction when it cleans up leftovers (it must never remove what
/// another subtask is about to commit).</para>
/// </remarks>
public abstract class TwoPhaseCommitSinkWriter<T, TTransaction> : ISinkWriter<T>, ICheckpointedFunction, ICheckpointListener, ITwoPhaseCommitWriter
{
    /// <summary>The name of the operator state holding the transactions.</summary>
    public const string StateName = "two-phase-commit-transactions";

    private readonly ListStateDescriptor<RecordedTransaction> _descriptor;
    private readonly List<(long CheckpointId, TTransaction Transaction)> _pending = [];
    private IListState<RecordedTransaction>? _state;
    private TTransaction? _current;
    private bool _hasCurrent;
    private bool _initialized;
    private bool _disposed;

    /// <param name="context">The subtask the writer runs in.</param>
    /// <param name="transactionSerializer">Writes transaction handles into operator state; it must read exactly the bytes it wrote.</param>
    protected TwoPhaseCommitSinkWriter(SinkWriterContext context, IRecordSerializer<TTransaction> transactionSerializer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transactionSerializer);
        Context = context;
        _descriptor = new ListStateDescriptor<RecordedTransaction>(StateName, new RecordedTransactionSerializer(transactionSerializer));
    }

    /// <summary>The subtask the writer runs in.</summary>
    protected SinkWriterContext Context { get; }

    /// <summary>
    /// Whether the job takes checkpoints; set by the sink operator before the first record. Without checkpointing the
    /// open transaction is committed at the end of input; with it, by the final checkpoint.
    /// </summary>
    internal bool CheckpointingEnabled { get; set; }

    bool ITwoPhaseCommitWriter.CheckpointingEnabled
    {
        get => CheckpointingEnabled;
        set => CheckpointingEnabled = value;
    }

    /// <summary>The transactions pre-committed and waiting for their checkpoint to complete (tests).</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>Starts a transaction: the records written until the next checkpoint go into it.</summary>
    protected abstract TTransaction BeginTransaction();

    /// <summary>Writes <paramref name="record"/> into <paramref name="transaction"/>.</summary>
    protected abstract void Write(TTransaction transaction, T record);

    /// <summary>
    /// Makes everything written into <paramref name="transaction"/> durable, so that it can be committed later, also by
    /// another process; no record is written into it afterwards. Failing here fails the checkpoint.
    /// </summary>
    protected abstract void PreCommit(TTransaction transaction);

    /// <summary>
    /// Makes a pre-committed transaction visible. Must be idempotent: it may run again for a transaction that is already
    /// committed (after a failure, or when a completion notification repeats).
    /// </summary>
    protected abstract void Commit(TTransaction transaction);

    /// <summary>Discards a transaction and what was written into it.</summary>
    protected abstract void Abort(TTransaction transaction);

    /// <summary>Commits a pre-committed transaction restored from a checkpoint; <see cref="Commit"/> unless overridden.</summary>
    protected virtual void RecoverAndCommit(TTransaction transaction) => Commit(transaction);

    /// <summary>Aborts the transaction that was open when the restored checkpoint was taken; <see cref="Abort"/> unless overridden.</summary>
    protected virtual void RecoverAndAbort(TTransaction transaction) => Abort(transaction);

    /// <summary>
    /// Removes what an earlier, failed attempt left behind that no checkpoint recorded (transactions begun after the
    /// last completed checkpoint). Runs once per attempt, after the recovery commits and aborts and before the first
    /// transaction begins. Does nothing unless overridden.
    /// </summary>
    /// <param name="context">The subtask the writer runs in.</param>
    /// <param name="recordedTransactions">Every transaction the restored checkpoint recorded, of all subtasks (empty
    /// when the job starts without a checkpoint). They must not be removed: their subtasks commit or abort them.</param>
    protected virtual void CleanupLeftovers(SinkWriterContext context, IReadOnlyList<TTransaction> recordedTransactions)
    {
    }

    /// <inheritdoc/>
    public void InitializeState(FunctionInitializationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            throw new InvalidOperationException($"Sink '{Context.TaskName}' (subtask {Context.SubtaskIndex}): InitializeState runs once, before the first record.");
        }
        _state = context.OperatorStateStore.GetUnionListState(_descriptor);
        var recorded = context.IsRestored ? _state.Get() : [];
        foreach (var mine in recorded.Where(IsMine).Where(static r => !r.Open).OrderBy(static r => r.CheckpointId))
        {
            RecoverAndCommit(mine.Transaction);
        }
        foreach (var mine in recorded.Where(IsMine).Where(static r => r.Open))
        {
            RecoverAndAbort(mine.Transaction);
        }
        _state.Clear();
        Start(recorded.Select(static r => r.Transaction).ToArray());
    }

    /// <inheritdoc/>
    public void Write(T record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureTransaction();
        Write(_current!, record);
    }

    /// <inheritdoc/>
    public void SnapshotState(FunctionSnapshotContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_state is null)
        {
            throw new InvalidOperationException($"Sink '{Context.TaskName}' (subtask {Context.SubtaskIndex}): SnapshotState before InitializeState.");
        }
        EnsureTransaction();
        PreCommit(_current!);
        _pending.Add((context.CheckpointId, _current!));
        _hasCurrent = false;
        _current = default;
        _current = BeginTransaction();
        _hasCurrent = true;

        var records = new List<RecordedTransaction>(_pending.Count + 1);
        foreach (var (checkpointId, transaction) in _pending)
        {
            records.Add(new RecordedTransaction(Context.SubtaskIndex, Open: false, checkpointId, transaction));
        }
        records.Add(new RecordedTransaction(Context.SubtaskIndex, Open: true, context.CheckpointId, _current));
        _state.Update(records);
    }

    /// <inheritdoc/>
    public void NotifyCheckpointComplete(long checkpointId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Oldest first; a commit that throws leaves it and the later ones pending (recovery commits them).
        while (_pending.Count > 0 && _pending[0].CheckpointId <= checkpointId)
        {
            Commit(_pending[0].Transaction);
            _pending.RemoveAt(0);
        }
    }

    /// <inheritdoc/>
    public void NotifyCheckpointAborted(long checkpointId)
    {
        // The pending transactions stay: the next completed checkpoint subsumes this one and commits them.
    }

    /// <inheritdoc/>
    public void Flush(bool endOfInput)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!endOfInput || CheckpointingEnabled || !_hasCurrent)
        {
            // Records become visible only at commit; with checkpointing the final checkpoint commits the open transaction.
            return;
        }
        var transaction = _current!;
        PreCommit(transaction);
        _hasCurrent = false;
        _current = default;
        Commit(transaction);
    }

    /// <summary>Aborts the open transaction; pre-committed ones stay for the restored writer to commit.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Aborts the open transaction (when <paramref name="disposing"/>); subclasses release their resources after calling the base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (disposing && _hasCurrent)
        {
            var transaction = _current!;
            _hasCurrent = false;
            _current = default;
            Abort(transaction);
        }
    }

    private bool IsMine(RecordedTransaction recorded) => recorded.Subtask % Context.Parallelism == Context.SubtaskIndex;

    private void EnsureTransaction()
    {
        if (_hasCurrent)
        {
            return;
        }
        if (!_initialized)
        {
            // No InitializeState: a job without checkpointing. Clean up what an earlier run left and start.
            Start([]);
            return;
        }
        _current = BeginTransaction();
        _hasCurrent = true;
    }

    private void Start(IReadOnlyList<TTransaction> recorded)
    {
        _initialized = true;
        CleanupLeftovers(Context, recorded);
        _current = BeginTransaction();
        _hasCurrent = true;
    }

    /// <summary>One element of the operator state: a transaction, the subtask that wrote it, and whether it was pending or open.</summary>
    private readonly record struct RecordedTransaction(int Subtask, bool Open, long CheckpointId, TTransaction Transaction);

    private sealed class RecordedTransactionSerializer(IRecordSerializer<TTransaction> transactions) : IRecordSerializer<RecordedTransaction>
    {
        public void Serialize(RecordedTransaction value, DataOutputSerializer output)
        {
            output.WriteInt32(value.Subtask);
            output.WriteBoolean(value.Open);
            output.WriteInt64(value.CheckpointId);
            transactions.Serialize(value.Transaction, output);
        }

        public RecordedTransaction Deserialize(ref DataInputView input) =>
            new(input.ReadInt32(), input.ReadBoolean(), input.ReadInt64(), transactions.Deserialize(ref input));
    }
}

/// <summary>What the runtime sets on every two-phase-commit writer, whatever its record and transaction types.</summary>
internal interface ITwoPhaseCommitWriter
{
    bool CheckpointingEnabled { get; set; }
}
