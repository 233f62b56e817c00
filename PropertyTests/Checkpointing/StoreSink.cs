using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Sinks;

namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>A two-phase-commit sink into a <see cref="TransactionalStore"/>; its commits run through <see cref="Faults.OnCommit"/>.</summary>
public sealed class StoreSink(TransactionalStore store) : TwoPhaseCommitSink<Result, long>
{
    private static readonly IRecordSerializer<long> TransactionSerializer =
        RecordSerializer.Create<long>(static (id, output) => output.WriteInt64(id), static (ref DataInputView input) => input.ReadInt64());

    public TransactionalStore Store { get; } = store;

    public override string Name => "TransactionalStore";

    protected override TwoPhaseCommitSinkWriter<Result, long> CreateTransactionalWriter(SinkWriterContext context) => new Writer(context, Store);

    private sealed class Writer(SinkWriterContext context, TransactionalStore store) : TwoPhaseCommitSinkWriter<Result, long>(context, TransactionSerializer)
    {
        protected override long BeginTransaction() => store.Begin(Context.SubtaskIndex);

        protected override void Write(long transaction, Result record) => store.Write(transaction, record);

        protected override void PreCommit(long transaction) => store.Prepare(transaction);

        protected override void Commit(long transaction) => Faults.OnCommit(() => store.Commit(transaction));

        protected override void Abort(long transaction) => store.Abort(transaction);

        protected override void CleanupLeftovers(SinkWriterContext context, IReadOnlyList<long> recordedTransactions) =>
            store.AbortLeftovers(subtask => subtask % context.Parallelism == context.SubtaskIndex, recordedTransactions);
    }
}
