using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Sinks;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.Sinks;

/// <summary>The protocol of the two-phase-commit base, observed through a writer that logs every call.</summary>
public sealed class TwoPhaseCommitSinkWriterTests
{
    private sealed class LoggingSink(List<string> log) : TwoPhaseCommitSink<string, long>
    {
        public override string Name => "Logging";

        protected override TwoPhaseCommitSinkWriter<string, long> CreateTransactionalWriter(SinkWriterContext context) => new Writer(context, log);

        private sealed class Writer(SinkWriterContext context, List<string> log)
            : TwoPhaseCommitSinkWriter<string, long>(context, new UnmanagedSerializer<long>())
        {
            private long _next = 100 * (context.SubtaskIndex + 1);

            protected override long BeginTransaction()
            {
                log.Add($"begin {_next}");
                return _next++;
            }

            protected override void Write(long transaction, string record) => log.Add($"write {transaction} {record}");
            protected override void PreCommit(long transaction) => log.Add($"precommit {transaction}");
            protected override void Commit(long transaction) => log.Add($"commit {transaction}");
            protected override void Abort(long transaction) => log.Add($"abort {transaction}");
            protected override void RecoverAndCommit(long transaction) => log.Add($"recover-commit {transaction}");
            protected override void RecoverAndAbort(long transaction) => log.Add($"recover-abort {transaction}");

            protected override void CleanupLeftovers(SinkWriterContext context, IReadOnlyList<long> recordedTransactions) =>
                log.Add($"cleanup [{string.Join(',', recordedTransactions.Order())}]");
        }
    }

    private static (TwoPhaseCommitSinkWriter<string, long> Writer, OperatorStateBackend Backend) Start(
        List<string> log, OperatorStateSnapshotData? restore = null)
    {
        var writer = (TwoPhaseCommitSinkWriter<string, long>)new LoggingSink(log).CreateWriter(new SinkWriterContext(0, 1, "sink"));
        writer.CheckpointingEnabled = true;
        var backend = new OperatorStateBackend("sink", new SerializerRegistry());
        if (restore is not null)
        {
            backend.Restore(restore);
        }
        writer.InitializeState(new FunctionInitializationContext(restore is not null, restore is null ? null : 2, backend, null));
        return (writer, backend);
    }

    [Fact]
    public void The_protocol_runs_in_flinks_order()
    {
        var log = new List<string>();
        var (writer, backend) = Start(log);
        writer.Write("a");
        writer.SnapshotState(new FunctionSnapshotContext(1, 0));
        writer.Write("b");
        writer.SnapshotState(new FunctionSnapshotContext(2, 0));
        writer.Write("c");
        var checkpoint2 = backend.Snapshot();
        writer.NotifyCheckpointComplete(1);

        Assert.Equal(
            ["cleanup []", "begin 100", "write 100 a", "precommit 100", "begin 101", "write 101 b", "precommit 101", "begin 102", "write 102 c", "commit 100"],
            log);

        // Crash; restore from checkpoint 2. It was taken before checkpoint 1's completion, so it records 100 as pending
        // too: 100 is committed again (hence idempotent commits), then 101; 102, open at checkpoint 2, is aborted.
        log.Clear();
        Start(log, checkpoint2);
        Assert.Equal(["recover-commit 100", "recover-commit 101", "recover-abort 102", "cleanup [100,101,102]", "begin 100"], log);
    }

    [Fact]
    public void Recovery_commits_pending_transactions_oldest_first()
    {
        var log = new List<string>();
        var (writer, backend) = Start(log);
        for (int i = 1; i <= 3; i++)
        {
            writer.SnapshotState(new FunctionSnapshotContext(i, 0));
        }
        var snapshot = backend.Snapshot();
        log.Clear();
        Start(log, snapshot);
        Assert.Equal(["recover-commit 100", "recover-commit 101", "recover-commit 102", "recover-abort 103"], log.Take(4));
    }

    [Fact]
    public void Initializing_twice_or_snapshotting_before_initializing_throws()
    {
        var log = new List<string>();
        var (writer, backend) = Start(log);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            writer.InitializeState(new FunctionInitializationContext(false, null, backend, null)));
        Assert.Contains("'sink'", ex.Message);

        var fresh = (TwoPhaseCommitSinkWriter<string, long>)new LoggingSink(log).CreateWriter(new SinkWriterContext(0, 1, "sink"));
        Assert.Throws<InvalidOperationException>(() => fresh.SnapshotState(new FunctionSnapshotContext(1, 0)));
    }

    [Fact]
    public void Dispose_aborts_only_the_open_transaction_once()
    {
        var log = new List<string>();
        var (writer, _) = Start(log);
        writer.SnapshotState(new FunctionSnapshotContext(1, 0));
        log.Clear();
        writer.Dispose();
        writer.Dispose();
        Assert.Equal(["abort 101"], log);
        Assert.Throws<ObjectDisposedException>(() => writer.Write("x"));
    }

    [Fact]
    public void Initialization_context_checks_the_restored_checkpoint_id()
    {
        var store = new OperatorStateBackend("op", new SerializerRegistry());
        Assert.Throws<ArgumentException>(() => new FunctionInitializationContext(true, null, store, null));
        Assert.Throws<ArgumentException>(() => new FunctionInitializationContext(false, 3, store, null));
        var context = new FunctionInitializationContext(true, 3, store, null);
        Assert.Equal(3, context.RestoredCheckpointId);
        Assert.Same(store, context.OperatorStateStore);
    }
}
