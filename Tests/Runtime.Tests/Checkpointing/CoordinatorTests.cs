using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// The checkpoint coordinator end to end: declined and expired checkpoints, tolerable failures, the limits on
/// concurrent checkpoints and the pause between them, notifications, ids across restarts, the final checkpoint.
/// </summary>
public sealed class CoordinatorTests : CheckpointTestBase
{
    private const long Count = 2_000;
    private const long Half = 1_000;

    private async Task<List<string>> Reference()
    {
        string output = Path.Combine(Root, "reference");
        var env = Environment(2);
        CountingJob.Build(env, new SourceGate(long.MaxValue), Count, 2, output, eventTime: false);
        await env.ExecuteAsync("reference").Completion.WaitAsync(Hang);
        return Committed(output);
    }

    private static async Task<JobClient> StartHeld(StreamEnvironment env, SourceGate gate)
    {
        var client = env.ExecuteAsync("coordinated");
        await Until(() => gate.Emitted >= gate.Limit || client.Completion.IsCompleted, "the source to reach the gate");
        Assert.Equal(JobStatus.Running, client.Status);
        return client;
    }

    private static long IdOf(string checkpointDirectory) =>
        long.Parse(Path.GetFileName(checkpointDirectory)["chk-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A snapshot that throws declines its checkpoint; the task goes on and, with one failure tolerated, so does the
    /// job (docs/checkpoints.md): no restart, and the output is still exactly-once.
    /// </summary>
    [Fact]
    public async Task A_tolerated_declined_checkpoint_does_not_fail_the_task()
    {
        var reference = await Reference();
        string output = Path.Combine(Root, "out");
        var gate = new SourceGate(Half);
        var recorder = new CheckpointRecorder();
        var env = Environment(2);
        env.Configuration.Checkpointing.TolerableFailedCheckpoints = 1;
        CountingJob.Build(env, gate, Count, 2, output, eventTime: false, inSourceTask: recorder);
        var client = await StartHeld(env, gate);

        recorder.ThrowOnSnapshot(1);
        var declined = await Assert.ThrowsAsync<CheckpointException>(() => client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang));
        Assert.Contains("injected snapshot failure", declined.ToString(), StringComparison.Ordinal);
        long completed = IdOf(await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang));
        gate.Open();
        await client.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(0, client.Restarts);
        Assert.Equal(reference, Committed(output));
        long failed = recorder.Ids("snapshot")[0];
        Assert.Contains(failed, recorder.Ids("aborted"));
        Assert.DoesNotContain(failed, recorder.Ids("complete"));
        Assert.Contains(completed, recorder.Ids("complete"));
        Assert.False(Directory.Exists(Path.Combine(Checkpoints, client.JobId.ToString("N"), $"chk-{failed}")));
    }

    [Fact]
    public async Task A_snapshot_that_throws_with_no_tolerated_failures_restarts_the_job_which_stays_exactly_once()
    {
        var reference = await Reference();
        string output = Path.Combine(Root, "out");
        var gate = new SourceGate(Half);
        var recorder = new CheckpointRecorder();
        var env = Environment(2);
        env.Configuration.Checkpointing.TolerableFailedCheckpoints = 0;
        CountingJob.Build(env, gate, Count, 2, output, eventTime: false, inSourceTask: recorder);
        var client = await StartHeld(env, gate);
        long first = IdOf(await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang));

        recorder.ThrowOnSnapshot(1);
        await Assert.ThrowsAsync<CheckpointException>(() => client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang));
        await Until(() => client.Restarts == 1 && client.Status == JobStatus.Running || client.Completion.IsCompleted, "the restart");
        // Ids keep growing across restarts.
        long afterRestart = IdOf(await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang));
        gate.Open();
        await client.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(1, client.Restarts);
        Assert.Equal(reference, Committed(output));
        Assert.True(afterRestart > first + 1, $"checkpoint {afterRestart} after the restart, {first} before");
        var completions = recorder.Ids("complete");
        Assert.Equal(completions.Order(), completions);
        Assert.Equal(completions.Distinct().Count(), completions.Count);
        Assert.Equal(2, recorder.Events.Count(e => e == "init"));
    }

    [Fact]
    public async Task At_most_MaxConcurrentCheckpoints_are_in_progress_and_the_next_one_waits_MinPause_after_the_last_completed()
    {
        var clock = new ManualTimeProvider();
        string output = Path.Combine(Root, "out");
        var gate = new SourceGate(8); // little enough to stay in the buffers while the blocker holds its task
        var source = new CheckpointRecorder();
        var blocker = new CheckpointRecorder();
        var env = Environment(2, interval: TimeSpan.FromMilliseconds(100));
        env.Configuration.TimeProvider = clock;
        env.Configuration.BufferTimeout = TimeSpan.Zero;
        env.Configuration.Checkpointing.MaxConcurrentCheckpoints = 2;
        env.Configuration.Checkpointing.MinPauseBetweenCheckpoints = TimeSpan.FromMilliseconds(250);
        blocker.BlockAt(4);
        CountingJob.Build(env, gate, Count, 2, output, eventTime: false, inSourceTask: source, inOwnTask: blocker);
        var client = await StartHeld(env, gate);
        Assert.True(blocker.WaitUntilBlocked(Hang));
        var coordinator = client.Master.Coordinator!;
        long first = coordinator.NextCheckpointId;

        clock.Advance(TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(first + 2, coordinator.NextCheckpointId);
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100)); // two in progress: no third
        }
        Assert.Equal(first + 2, coordinator.NextCheckpointId);
        await Until(() => source.Ids("snapshot").Count == 2, "the sources to snapshot both");

        blocker.Release();
        await Until(() => source.Ids("complete").Contains(first + 1), "both to complete");
        Assert.Equal([first, first + 1], source.Ids("snapshot"));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(first + 2, coordinator.NextCheckpointId); // 200 ms after the last completed: within the pause
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(first + 3, coordinator.NextCheckpointId);
        await Until(() => source.Ids("complete").Contains(first + 2), "the next checkpoint to complete");

        gate.Open();
        await client.Completion.WaitAsync(Hang);
        Assert.Equal(JobStatus.Finished, client.Status);
        // The two concurrent checkpoints may complete in either order; when the newer one completes first, the older
        // one is subsumed (aborted without counting as a failure), as in Flink. Nothing else is aborted.
        Assert.All(source.Ids("aborted"), id => Assert.Equal(first, id));
    }

    [Fact]
    public async Task A_checkpoint_that_does_not_finish_before_the_timeout_is_aborted_and_its_files_are_deleted()
    {
        var reference = await Reference();
        var clock = new ManualTimeProvider();
        string output = Path.Combine(Root, "out");
        var gate = new SourceGate(8); // little enough to stay in the buffers while the blocker holds its task
        var source = new CheckpointRecorder();
        var blocker = new CheckpointRecorder();
        var env = Environment(2, interval: TimeSpan.FromMilliseconds(100));
        env.Configuration.TimeProvider = clock;
        env.Configuration.BufferTimeout = TimeSpan.Zero;
        env.Configuration.Checkpointing.Timeout = TimeSpan.FromMilliseconds(500);
        env.Configuration.Checkpointing.TolerableFailedCheckpoints = 1;
        env.Configuration.Checkpointing.Incremental = false;
        blocker.BlockAt(4);
        CountingJob.Build(env, gate, Count, 2, output, eventTime: false, inSourceTask: source, inOwnTask: blocker);
        var client = await StartHeld(env, gate);
        Assert.True(blocker.WaitUntilBlocked(Hang));
        long expired = client.Master.Coordinator!.NextCheckpointId;
        string directory = Path.Combine(client.Master.CheckpointDirectory, $"chk-{expired}");

        clock.Advance(TimeSpan.FromMilliseconds(100));
        await Until(() => Directory.Exists(directory) && Directory.GetFiles(directory).Length > 0, "the source task to write its part");
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await Until(() => source.Ids("aborted").Contains(expired), "the abort notification");
        blocker.Release(); // the blocked task now sees the barrier of the aborted checkpoint
        gate.Open();
        await client.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(reference, Committed(output));
        Assert.DoesNotContain(expired, source.Ids("complete"));
        Assert.False(Directory.Exists(directory), $"{directory} is left: {string.Join(", ", Directory.Exists(directory) ? Directory.GetFiles(directory) : [])}");
        string shared = Path.Combine(client.Master.CheckpointDirectory, "shared");
        Assert.Empty(Directory.Exists(shared) ? Directory.GetFiles(shared, $"{expired}-*") : []);
    }

    [Fact]
    public async Task A_bounded_job_ends_with_the_final_checkpoint_which_commits_its_last_records()
    {
        string output = Path.Combine(Root, "out");
        var recorder = new CheckpointRecorder();
        var env = Environment(2); // the interval is an hour: the final checkpoint is the only one
        CountingJob.Build(env, new SourceGate(long.MaxValue), Count, 2, output, eventTime: false, inSourceTask: recorder);
        var client = env.ExecuteAsync("bounded");
        await client.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(Count, Committed(output).Count(l => !CountingJob.IsTimer(l)));
        Assert.Single(recorder.Ids("snapshot"));
        Assert.Equal(recorder.Ids("snapshot"), recorder.Ids("complete"));
    }
}
