using DataflowCompiler.Fusion;
using DataflowCompiler.Sinks;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// Savepoints end to end: a savepoint of a running job restores at another parallelism with keyed state, timers and
/// operator state carried over; stop-with-savepoint; a retained checkpoint used like a savepoint.
/// </summary>
public sealed class SavepointTests : CheckpointTestBase
{
    private const long Count = 3_000;
    private const long Half = 1_700;

    private static OperatorStateProbe Build(StreamEnvironment env, SourceGate gate, int parallelism, string output) =>
        CountingJob.Build(env, gate, Count, parallelism, output);

    private async Task<List<string>> Reference(int parallelism)
    {
        string output = Path.Combine(Root, "reference");
        var env = Environment(parallelism);
        Build(env, new SourceGate(long.MaxValue), parallelism, output);
        var client = env.ExecuteAsync("reference");
        await client.Completion.WaitAsync(Hang);
        var lines = Committed(output);
        Assert.Equal(Count, lines.Count(l => !l.StartsWith("timer", StringComparison.Ordinal)));
        return lines;
    }

    /// <summary>Runs the job until the gate holds it at <see cref="Half"/> records.</summary>
    private static async Task<JobClient> StartHeld(StreamEnvironment env, SourceGate gate)
    {
        var client = env.ExecuteAsync("held");
        await Until(() => gate.Emitted >= Half || client.Completion.IsCompleted, "the source to reach the gate");
        Assert.Equal(JobStatus.Running, client.Status);
        return client;
    }

    [Theory]
    [InlineData(2, 3, FusionMode.Enabled)]
    [InlineData(2, 3, FusionMode.Disabled)]
    [InlineData(3, 1, FusionMode.Enabled)]
    [InlineData(3, 1, FusionMode.Disabled)]
    public async Task A_savepoint_restores_at_another_parallelism_with_keyed_state_timers_and_operator_state(int before, int after, FusionMode fusion)
    {
        var reference = await Reference(before);
        string output = Path.Combine(Root, "out");

        var gate = new SourceGate(Half);
        var env1 = Environment(before, fusion: fusion);
        Build(env1, gate, before, output);
        var first = await StartHeld(env1, gate);
        string savepoint = await first.TriggerSavepointAsync(Savepoints).WaitAsync(Hang);
        await first.CancelAsync().WaitAsync(Hang);
        Assert.True(File.Exists(Path.Combine(savepoint, "_metadata")), savepoint);
        Assert.StartsWith(Path.Combine(Path.GetFullPath(Savepoints), "savepoint-"), Path.GetFullPath(savepoint));

        var env2 = Environment(after, fusion: fusion, restore: new SavepointRestoreSettings(savepoint));
        var probe = Build(env2, new SourceGate(long.MaxValue), after, output);
        var second = env2.ExecuteAsync("restored");
        await second.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, second.Status);
        Assert.Equal(reference, Committed(output));
        AssertRedistributed(probe, before, after);
    }

    /// <summary>Sliding windows on long keys (the slice table) over a gated, ordered source; each result is a window sum.</summary>
    private static WindowStateProbe BuildWindows(StreamEnvironment env, SourceGate gate, string output)
    {
        var probe = new WindowStateProbe();
        env.FromSource(new GatedSource<long>(i => i, Count, gate), WatermarkStrategy.ForMonotonousTimestamps<long>(x => x), "numbers").SetParallelism(1).Uid("numbers")
            .KeyBy(x => x % 7)
            .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)))
            .WithStateProbe(probe)
            .Reduce((a, b) => a + b).Uid("window")
            .Map(sum => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"sum {sum}")).Uid("format")
            .SinkTo(new TransactionalFileSink<string>(output)).Uid("sink");
        return probe;
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    public async Task A_savepoint_of_slice_table_windows_restores_at_another_parallelism(int before, int after)
    {
        var referenceEnv = Environment(before, fusion: FusionMode.Disabled);
        BuildWindows(referenceEnv, new SourceGate(long.MaxValue), Path.Combine(Root, "reference"));
        await referenceEnv.ExecuteAsync("reference").Completion.WaitAsync(Hang);
        var reference = Committed(Path.Combine(Root, "reference")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(((int)Count / 50 + 3) * 7, reference.Count);

        string output = Path.Combine(Root, "out");
        var gate = new SourceGate(Half);
        var env1 = Environment(before, fusion: FusionMode.Disabled);
        BuildWindows(env1, gate, output);
        var first = await StartHeld(env1, gate);
        string savepoint = await first.TriggerSavepointAsync(Savepoints).WaitAsync(Hang);
        await first.CancelAsync().WaitAsync(Hang);

        var env2 = Environment(after, fusion: FusionMode.Disabled, restore: new SavepointRestoreSettings(savepoint));
        var probe2 = BuildWindows(env2, new SourceGate(long.MaxValue), output);
        var second = env2.ExecuteAsync("restored");
        await second.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, second.Status);
        Assert.Equal(reference, Committed(output).Order(StringComparer.Ordinal));
        Assert.Equal(after, probe2.SliceTableSubtasks);
        Assert.All(probe2.Reports, r => Assert.Equal(0, r.StateEntries));
    }

    private static void AssertRedistributed(OperatorStateProbe probe, int before, int after)
    {
        var restored = probe.Restored.ToList();
        Assert.Equal(after, restored.Count);
        var oldList = Enumerable.Range(0, before).SelectMany(i => Enumerable.Range(0, 5 + i).Select(k => $"list-{i}-{k}")).ToList();
        // Split: every element once, in parts of ⌊n/q⌋ or ⌈n/q⌉.
        Assert.Equal(oldList.Order(StringComparer.Ordinal), restored.SelectMany(r => r.List).Order(StringComparer.Ordinal));
        Assert.All(restored, r => Assert.InRange(r.List.Length, oldList.Count / after, (oldList.Count + after - 1) / after));
        // Union: everything everywhere.
        var union = Enumerable.Range(0, before).Select(i => $"union-{i}").ToList();
        Assert.All(restored, r => Assert.Equal(union, r.Union.Order(StringComparer.Ordinal)));
        // Broadcast: copied.
        Assert.All(restored, r => Assert.Equal([new KeyValuePair<string, string>("rule", "v1")], r.Broadcast));
    }

    [Fact]
    public async Task Stop_with_savepoint_finishes_the_job_commits_what_was_processed_and_the_savepoint_restores()
    {
        var reference = await Reference(2);
        string output = Path.Combine(Root, "out");

        var gate = new SourceGate(Half);
        var env1 = Environment(2);
        Build(env1, gate, 2, output);
        var first = await StartHeld(env1, gate);
        string savepoint = await first.StopWithSavepointAsync(Savepoints).WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, first.Status);
        Assert.True(File.Exists(Path.Combine(savepoint, "_metadata")), savepoint);
        // Exactly the records before the gate are committed (timers that fired before the savepoint too; the others wait in it).
        var committed = Committed(output);
        var expectedRecords = reference.Where(l => !l.StartsWith("timer", StringComparison.Ordinal) && RecordValue(l) < Half).ToList();
        Assert.Equal(expectedRecords, committed.Where(l => !l.StartsWith("timer", StringComparison.Ordinal)).ToList());

        var env2 = Environment(2, restore: new SavepointRestoreSettings(savepoint));
        Build(env2, new SourceGate(long.MaxValue), 2, output);
        var second = env2.ExecuteAsync("restored");
        await second.Completion.WaitAsync(Hang);
        Assert.Equal(reference, Committed(output));
    }

    /// <summary>The value of the record a "key:count:sum:recent" line was emitted for (the last of the recent values).</summary>
    private static long RecordValue(string line) => long.Parse(line.Split(':')[3].Split('|')[^1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_retained_checkpoint_directory_restores_like_a_savepoint()
    {
        var reference = await Reference(2);
        string output = Path.Combine(Root, "out");

        var gate = new SourceGate(Half);
        var env1 = Environment(2, interval: TimeSpan.FromMilliseconds(20));
        Build(env1, gate, 2, output);
        var first = await StartHeld(env1, gate);
        int before = CompletedCheckpoints().Count;
        await Until(() => CompletedCheckpoints().Count >= before + 2, "two checkpoints after the gate");
        await first.CancelAsync().WaitAsync(Hang);
        var (id, latest) = CompletedCheckpoints()[^1];
        Assert.Equal(Path.Combine(Path.GetFullPath(Checkpoints), first.JobId.ToString("N"), $"chk-{id}"), Path.GetFullPath(latest));

        var env2 = Environment(3, restore: new SavepointRestoreSettings(latest));
        Build(env2, new SourceGate(long.MaxValue), 3, output);
        var second = env2.ExecuteAsync("restored from a checkpoint");
        await second.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, second.Status);
        Assert.Equal(reference, Committed(output));
    }
}
