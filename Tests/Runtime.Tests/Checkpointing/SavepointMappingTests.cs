using DataflowCompiler.Sinks;
using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>Restoring a savepoint into a job that does not fit it fails the start with a message naming the problem.</summary>
public sealed class SavepointMappingTests : CheckpointTestBase
{
    private const long Count = 2_000;

    private static void Build(StreamEnvironment env, SourceGate gate, string output, bool withProbe = true, int sourceParallelism = 1,
        int? maxParallelism = null)
    {
        var keyed = env.FromSource(new GatedSource<long>(i => i, Count, gate), WatermarkStrategy.ForMonotonousTimestamps<long>(x => x), "numbers")
           .SetParallelism(sourceParallelism).Uid("numbers")
           .KeyBy(x => x % 13)
           .Process(new StatefulCounter()).Uid("counter");
        if (maxParallelism is { } max)
        {
            keyed.SetMaxParallelism(max);
        }
        var stream = withProbe ? keyed.Map(new OperatorStateProbe()).Uid("probe").Name("rules") : keyed;
        stream.SinkTo(new TransactionalFileSink<string>(output)).Uid("sink");
    }

    private async Task<string> Savepoint(bool withProbe = true, int sourceParallelism = 1, int? maxParallelism = null)
    {
        var gate = new SourceGate(Count / 2);
        var env = Environment(2);
        Build(env, gate, Path.Combine(Root, "out"), withProbe, sourceParallelism, maxParallelism);
        var client = env.ExecuteAsync("savepointed");
        await Until(() => gate.Emitted >= Count / 2 || client.Completion.IsCompleted, "the source to reach the gate");
        string savepoint = await client.TriggerSavepointAsync(Savepoints).WaitAsync(Hang);
        await client.CancelAsync().WaitAsync(Hang);
        return savepoint;
    }

    private static async Task<JobExecutionException> StartFails(StreamEnvironment env)
    {
        var client = env.ExecuteAsync("restored");
        var error = await Assert.ThrowsAsync<JobExecutionException>(() => client.Completion.WaitAsync(Hang));
        Assert.Equal(JobStatus.Failed, client.Status);
        Assert.Equal(0, client.Restarts); // a job that cannot fit its savepoint fails at once, it does not restart in a loop
        return error;
    }

    [Fact]
    public async Task State_of_an_operator_the_new_job_lacks_fails_the_start_naming_it_unless_non_restored_state_is_allowed()
    {
        string savepoint = await Savepoint(withProbe: true);

        var env = Environment(2, restore: new SavepointRestoreSettings(savepoint));
        env.Configuration.RestartStrategy = null; // the default with checkpointing restarts forever; the start must fail anyway
        Build(env, new SourceGate(long.MaxValue), Path.Combine(Root, "out"), withProbe: false);
        var error = await StartFails(env);
        Assert.Contains("'rules'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("probe", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(nameof(SavepointRestoreSettings.AllowNonRestoredState), error.ToString(), StringComparison.Ordinal);

        var allowed = Environment(2, restore: new SavepointRestoreSettings(savepoint, AllowNonRestoredState: true));
        Build(allowed, new SourceGate(long.MaxValue), Path.Combine(Root, "out"), withProbe: false);
        var client = allowed.ExecuteAsync("restored without the probe");
        await client.Completion.WaitAsync(Hang);
        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(Count, Committed(Path.Combine(Root, "out")).Count(l => !l.StartsWith("timer", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_changed_max_parallelism_of_a_keyed_operator_fails_the_start_naming_it_and_the_fix()
    {
        string savepoint = await Savepoint(maxParallelism: 64);

        var env = Environment(2, restore: new SavepointRestoreSettings(savepoint));
        env.Configuration.RestartStrategy = null;
        Build(env, new SourceGate(long.MaxValue), Path.Combine(Root, "out"), maxParallelism: 256);
        var error = await StartFails(env);
        Assert.Contains("counter", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("max parallelism 64", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("256", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_restored_at_another_parallelism_fails_the_start_naming_it()
    {
        string savepoint = await Savepoint(sourceParallelism: 2);

        var env = Environment(2, restore: new SavepointRestoreSettings(savepoint));
        env.Configuration.RestartStrategy = null;
        Build(env, new SourceGate(long.MaxValue), Path.Combine(Root, "out"), sourceParallelism: 3);
        var error = await StartFails(env);
        Assert.Contains("numbers", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("parallelism 2", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("3", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_savepoint_path_fails_the_start_naming_the_path()
    {
        string missing = Path.Combine(Root, "no-such-savepoint");
        var env = Environment(2, restore: new SavepointRestoreSettings(missing));
        Build(env, new SourceGate(long.MaxValue), Path.Combine(Root, "out"));
        var error = await StartFails(env);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
