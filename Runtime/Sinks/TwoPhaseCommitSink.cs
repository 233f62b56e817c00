namespace DataflowCompiler.Sinks;

/// <summary>
/// Base of sinks that reach end-to-end exactly-once by two-phase commit (Flink's <c>TwoPhaseCommitSinkFunction</c>):
/// records go into a transaction of the external system; on checkpoint barrier n the transaction is pre-committed
/// (made durable but invisible); when checkpoint n completes it is committed (made visible). After a failure the job
/// restarts from the latest completed checkpoint, and the restored writer commits what that checkpoint recorded as
/// pre-committed and aborts the rest.
/// </summary>
/// <remarks>
/// The sink is one object per job, shared by all subtasks; every subtask gets its own
/// <see cref="TwoPhaseCommitSinkWriter{T,TTransaction}"/> from <see cref="CreateTransactionalWriter"/>, which holds the
/// transactions and implements the protocol. <see cref="TransactionalFileSink{T}"/> is an implementation.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
/// <typeparam name="TTransaction">The transaction handle: whatever identifies a transaction so that another process can commit or abort it after a failure.</typeparam>
public abstract class TwoPhaseCommitSink<T, TTransaction> : ISink<T>
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public ISinkWriter<T> CreateWriter(SinkWriterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CreateTransactionalWriter(context);
    }

    /// <summary>Creates the writer of one subtask.</summary>
    protected abstract TwoPhaseCommitSinkWriter<T, TTransaction> CreateTransactionalWriter(SinkWriterContext context);
}
