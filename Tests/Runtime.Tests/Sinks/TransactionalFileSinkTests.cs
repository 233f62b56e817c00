using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Runtime.Tests.Sources;
using DataflowCompiler.Sinks;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.Sinks;

/// <summary>
/// Drives the two-phase-commit writer by hand through checkpoints, completions and crashes (a crash drops the writer
/// without disposing it and restores a new one from the last completed checkpoint's operator state).
/// </summary>
public sealed class TransactionalFileSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Out => _dir.File("out");

    /// <summary>One attempt of one subtask: its operator state and its writer.</summary>
    private sealed class Attempt(OperatorStateBackend backend, TwoPhaseCommitSinkWriter<string, FileSinkTransaction> writer)
    {
        public OperatorStateBackend Backend { get; } = backend;
        public TwoPhaseCommitSinkWriter<string, FileSinkTransaction> Writer { get; } = writer;

        public void Write(params string[] records)
        {
            foreach (var record in records)
            {
                Writer.Write(record);
            }
        }

        /// <summary>Snapshots checkpoint <paramref name="id"/> and returns the subtask's state as the checkpoint would store it.</summary>
        public OperatorStateSnapshotData Checkpoint(long id)
        {
            Writer.SnapshotState(new FunctionSnapshotContext(id, 1_000 + id));
            return OperatorStateSnapshotData.Read(Backend.Snapshot().ToArray());
        }
    }

    private Attempt Start(OperatorStateSnapshotData? restoreFrom = null, long? restoredId = null, int subtask = 0, int parallelism = 1, bool checkpointing = true)
    {
        var sink = new TransactionalFileSink<string>(Out);
        var writer = (TwoPhaseCommitSinkWriter<string, FileSinkTransaction>)sink.CreateWriter(new SinkWriterContext(subtask, parallelism, "sink"));
        writer.CheckpointingEnabled = checkpointing;
        var backend = new OperatorStateBackend("sink", new SerializerRegistry());
        if (restoreFrom is not null)
        {
            backend.Restore(restoreFrom);
        }
        writer.InitializeState(new FunctionInitializationContext(restoreFrom is not null, restoreFrom is null ? null : restoredId ?? 1, backend, null));
        return new Attempt(backend, writer);
    }

    private string[] InProgressFiles() =>
        Directory.EnumerateFiles(Out, "*.inprogress").Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void Output_is_visible_only_after_the_checkpoint_completes()
    {
        var attempt = Start();
        attempt.Write("a", "b");
        attempt.Checkpoint(1);
        Assert.Empty(TransactionalFileSink<string>.ReadCommitted(Out));

        attempt.Write("c");
        attempt.Writer.NotifyCheckpointComplete(1);
        Assert.Equal(["a", "b"], TransactionalFileSink<string>.ReadCommitted(Out));

        attempt.Checkpoint(2);
        attempt.Writer.NotifyCheckpointComplete(2);
        Assert.Equal(["a", "b", "c"], TransactionalFileSink<string>.ReadCommitted(Out));
        Assert.Single(InProgressFiles()); // the open transaction
    }

    [Fact]
    public void A_completion_commits_only_the_checkpoints_up_to_it_in_order()
    {
        var attempt = Start();
        attempt.Write("1");
        attempt.Checkpoint(1);
        attempt.Write("2");
        attempt.Checkpoint(2);
        attempt.Write("3");
        attempt.Checkpoint(3);

        attempt.Writer.NotifyCheckpointComplete(2);
        Assert.Equal(["1", "2"], TransactionalFileSink<string>.ReadCommitted(Out));
        Assert.Equal(1, attempt.Writer.PendingCount);
        attempt.Writer.NotifyCheckpointComplete(3);
        Assert.Equal(["1", "2", "3"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void An_aborted_checkpoint_keeps_its_transaction_for_a_later_completion()
    {
        var attempt = Start();
        attempt.Write("a");
        attempt.Checkpoint(1);
        attempt.Writer.NotifyCheckpointAborted(1);
        Assert.Empty(TransactionalFileSink<string>.ReadCommitted(Out));
        attempt.Write("b");
        attempt.Checkpoint(2);
        attempt.Writer.NotifyCheckpointComplete(2);
        Assert.Equal(["a", "b"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void Crash_before_the_completion_commits_pre_committed_records_once_and_aborts_the_open_transaction()
    {
        var first = Start();
        first.Write("a", "b");
        var checkpoint1 = first.Checkpoint(1);
        first.Write("c"); // into the transaction that was open at checkpoint 1
        // Crash: checkpoint 1 completed, but the notification never reached the writer.

        var second = Start(checkpoint1, restoredId: 1);
        Assert.Equal(["a", "b"], TransactionalFileSink<string>.ReadCommitted(Out));
        Assert.Single(InProgressFiles()); // only the new open transaction: "c" is gone

        second.Write("d");
        second.Checkpoint(2);
        second.Writer.NotifyCheckpointComplete(2);
        Assert.Equal(["a", "b", "d"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void Crash_after_the_commit_recommits_harmlessly_and_removes_later_transactions()
    {
        var first = Start();
        first.Write("a");
        var checkpoint1 = first.Checkpoint(1);
        first.Writer.NotifyCheckpointComplete(1);
        first.Write("b");
        first.Checkpoint(2); // never completes
        first.Write("c"); // a transaction no completed checkpoint recorded

        // Restore twice from checkpoint 1, as after two failures in a row: the commit of "a" runs three times in all.
        Start(checkpoint1, restoredId: 1);
        var third = Start(checkpoint1, restoredId: 1);

        Assert.Equal(["a"], TransactionalFileSink<string>.ReadCommitted(Out));
        Assert.Single(InProgressFiles());
        third.Write("e");
        third.Checkpoint(2);
        third.Writer.NotifyCheckpointComplete(2);
        third.Writer.NotifyCheckpointComplete(2); // a repeated notification
        Assert.Equal(["a", "e"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void Leftover_in_progress_files_no_checkpoint_recorded_are_removed()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, ".part-0-99.inprogress"), "stale\n");
        File.WriteAllText(Path.Combine(Out, ".part-2-5.inprogress"), "stale of an old subtask 2\n");
        File.WriteAllText(Path.Combine(Out, ".part-1-7.inprogress"), "belongs to subtask 1\n");
        File.WriteAllText(Path.Combine(Out, "notes.txt"), "not ours\n");

        var attempt = Start(subtask: 0, parallelism: 2);

        // Subtask 0 of 2 owns the old indexes 0 and 2; subtask 1's file and foreign files stay.
        Assert.False(File.Exists(Path.Combine(Out, ".part-0-99.inprogress")));
        Assert.False(File.Exists(Path.Combine(Out, ".part-2-5.inprogress")));
        Assert.True(File.Exists(Path.Combine(Out, ".part-1-7.inprogress")));
        Assert.True(File.Exists(Path.Combine(Out, "notes.txt")));
        // Sequences continue after the largest one seen, so a leftover's name is never reused.
        attempt.Write("x");
        attempt.Checkpoint(1);
        attempt.Writer.NotifyCheckpointComplete(1);
        Assert.True(File.Exists(Path.Combine(Out, "part-0-100")));
    }

    [Fact]
    public void Restoring_at_a_lower_parallelism_commits_the_transactions_of_every_old_subtask()
    {
        var s0 = Start(subtask: 0, parallelism: 2);
        var s1 = Start(subtask: 1, parallelism: 2);
        s0.Write("zero");
        s1.Write("one");
        var c0 = s0.Checkpoint(1);
        var c1 = s1.Checkpoint(1);
        s1.Write("lost"); // open at checkpoint 1

        var restored = OperatorStateRedistributor.Redistribute([c0, c1], 1);
        Start(restored[0], restoredId: 1, subtask: 0, parallelism: 1);

        Assert.Equal(["zero", "one"], TransactionalFileSink<string>.ReadCommitted(Out));
        Assert.Single(InProgressFiles());
    }

    [Fact]
    public void Restoring_at_a_higher_parallelism_does_not_remove_what_another_subtask_commits()
    {
        var s0 = Start(subtask: 0, parallelism: 1);
        s0.Write("a");
        var c0 = s0.Checkpoint(1);

        var restored = OperatorStateRedistributor.Redistribute([c0], 2);
        // Subtask 1 starts first; the pending transaction is subtask 0's to commit, so subtask 1 must leave it alone.
        Start(restored[1], restoredId: 1, subtask: 1, parallelism: 2);
        Assert.True(File.Exists(Path.Combine(Out, ".part-0-0.inprogress")));
        Start(restored[0], restoredId: 1, subtask: 0, parallelism: 2);

        Assert.Equal(["a"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void Without_checkpointing_the_end_of_input_commits()
    {
        var sink = new TransactionalFileSink<int>(Out, static i => $"#{i}");
        using (var writer = sink.CreateWriter(new SinkWriterContext(0, 1, "sink")))
        {
            writer.Write(1);
            writer.Write(2);
            writer.Flush(endOfInput: false);
            Assert.Empty(TransactionalFileSink<int>.ReadCommitted(Out));
            writer.Flush(endOfInput: true);
        }
        Assert.Equal(["#1", "#2"], TransactionalFileSink<int>.ReadCommitted(Out));
        Assert.Empty(InProgressFiles());
    }

    [Fact]
    public void With_checkpointing_the_end_of_input_leaves_the_commit_to_the_final_checkpoint()
    {
        var attempt = Start(checkpointing: true);
        attempt.Write("a");
        attempt.Writer.Flush(endOfInput: true);
        Assert.Empty(TransactionalFileSink<string>.ReadCommitted(Out));
        attempt.Checkpoint(1);
        attempt.Writer.NotifyCheckpointComplete(1);
        Assert.Equal(["a"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void Dispose_aborts_the_open_transaction_but_keeps_pre_committed_ones()
    {
        var attempt = Start();
        attempt.Write("a");
        var checkpoint1 = attempt.Checkpoint(1);
        attempt.Write("b");
        attempt.Writer.Dispose();

        Assert.Equal([".part-0-0.inprogress"], InProgressFiles());
        Start(checkpoint1, restoredId: 1);
        Assert.Equal(["a"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void Empty_transactions_leave_no_part_files()
    {
        var attempt = Start();
        attempt.Checkpoint(1);
        attempt.Writer.NotifyCheckpointComplete(1);
        attempt.Writer.NotifyCheckpointComplete(1);
        Assert.Empty(Directory.EnumerateFiles(Out, "part-*"));
    }

    [Fact]
    public void A_new_run_into_the_same_directory_does_not_overwrite_committed_parts()
    {
        var sink = new TransactionalFileSink<string>(Out);
        foreach (var run in new[] { "first", "second" })
        {
            using var writer = sink.CreateWriter(new SinkWriterContext(0, 1, "sink"));
            writer.Write(run);
            writer.Flush(endOfInput: true);
        }
        Assert.Equal(["first", "second"], TransactionalFileSink<string>.ReadCommitted(Out));
    }

    [Fact]
    public void A_missing_pre_committed_file_is_reported_not_ignored()
    {
        var first = Start();
        first.Write("a");
        var checkpoint1 = first.Checkpoint(1);
        File.Delete(Path.Combine(Out, ".part-0-0.inprogress"));

        var ex = Assert.Throws<IOException>(() => Start(checkpoint1, restoredId: 1));
        Assert.Contains(".part-0-0.inprogress", ex.Message);
    }

    [Fact]
    public void A_throwing_format_function_names_the_record()
    {
        var sink = new TransactionalFileSink<int>(Out, static i => i == 2 ? throw new FormatException("bad") : i.ToString());
        using var writer = sink.CreateWriter(new SinkWriterContext(0, 1, "sink"));
        writer.Write(1);
        var ex = Assert.Throws<InvalidOperationException>(() => writer.Write(2));
        Assert.Contains("record #1", ex.Message);
        Assert.IsType<FormatException>(ex.InnerException);
    }

    [Fact]
    public void A_file_where_the_directory_should_be_is_rejected()
    {
        File.WriteAllText(Out, "x");
        var ex = Assert.Throws<IOException>(() => new TransactionalFileSink<string>(Out).CreateWriter(new SinkWriterContext(0, 1, "sink")));
        Assert.Contains(Out, ex.Message);
    }
}
