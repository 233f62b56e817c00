using DataflowCompiler.Fusion;
using DataflowCompiler.Sinks;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// Failures after a checkpoint taken at a known point: at-least-once loses nothing; exactly-once holds with several
/// input channels (keyBy after a parallel source, a union of two sources); windows and event-time timers give the
/// failure-free results.
/// </summary>
public sealed class RecoveryTests : CheckpointTestBase
{
    private const long Count = 3_000;
    private const long Half = 1_500;
    private int _armed;

    /// <summary>Throws once at <paramref name="failAt"/> after <see cref="Arm"/>.</summary>
    private Func<long, long> FailOnceAt(long failAt) =>
        x => x == failAt && Interlocked.Exchange(ref _armed, 0) == 1 ? throw new InvalidOperationException($"injected at {x}") : x;

    private void Arm() => Volatile.Write(ref _armed, 1);

    /// <summary>Holds the job at the gate, checkpoints, arms the failure and lets the job run to its end.</summary>
    private async Task<JobClient> RunWithFailure(StreamEnvironment env, SourceGate gate, string name)
    {
        var client = env.ExecuteAsync(name);
        await Until(() => gate.Emitted >= gate.Limit || client.Completion.IsCompleted, "the sources to reach the gate");
        await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang);
        Arm();
        gate.Open();
        await client.Completion.WaitAsync(Hang);
        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(1, client.Restarts);
        return client;
    }

    private async Task<List<string>> Run(Action<StreamEnvironment, SourceGate, string> build, bool fail, int parallelism = 2,
        CheckpointingMode mode = CheckpointingMode.ExactlyOnce, long gateAt = Half, FusionMode fusion = FusionMode.Enabled)
    {
        string output = Path.Combine(Root, fail ? "out" : "reference");
        var env = Environment(parallelism, interval: fail ? TimeSpan.FromMilliseconds(15) : null, mode: mode, fusion: fusion);
        var gate = new SourceGate(fail ? gateAt : long.MaxValue);
        build(env, gate, output);
        if (fail)
        {
            await RunWithFailure(env, gate, "with a failure");
        }
        else
        {
            await env.ExecuteAsync("reference").Completion.WaitAsync(Hang);
        }
        return Committed(output);
    }

    [Fact]
    public async Task At_least_once_loses_no_record_through_a_failure()
    {
        void Build(StreamEnvironment env, SourceGate gate, string output) =>
            env.FromSource(new GatedSource<long>(i => i, Count, gate), "numbers").SetParallelism(3).Uid("numbers")
               .Map(FailOnceAt(Half + 300)).Uid("inject")
               .Rebalance()
               .Map(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Uid("format")
               .SinkTo(new TransactionalFileSink<string>(output)).Uid("sink");

        var committed = await Run(Build, fail: true, parallelism: 3, mode: CheckpointingMode.AtLeastOnce);
        // Every record, some maybe more than once (the rebalanced map aligns nothing: it counts barriers of three channels).
        Assert.Equal(Enumerable.Range(0, (int)Count).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
            committed.Distinct().Order(StringComparer.Ordinal));
    }

    [Theory, InlineData(FusionMode.Enabled), InlineData(FusionMode.Disabled)]
    public async Task Exactly_once_holds_with_a_keyed_exchange_from_three_source_subtasks(FusionMode fusion)
    {
        // 39 keys: each key's records come from one source subtask (x mod 3), so its results are deterministic,
        // while every keyed subtask aligns barriers from three channels.
        void Build(StreamEnvironment env, SourceGate gate, string output) =>
            CountingJob.Build(env, gate, Count, 3, output, sourceParallelism: 3, eventTime: false, inject: FailOnceAt(Half + 301), keys: 39);

        var reference = await Run(Build, fail: false, parallelism: 3, fusion: fusion);
        var committed = await Run(Build, fail: true, parallelism: 3, fusion: fusion);
        Assert.Equal(Count, reference.Count(l => !CountingJob.IsTimer(l)));
        Assert.Equal(reference, committed);
    }

    [Theory, InlineData(FusionMode.Enabled), InlineData(FusionMode.Disabled)]
    public async Task Exactly_once_holds_with_a_union_of_two_sources(FusionMode fusion)
    {
        // Even keys come from the first source, odd keys from the second.
        void Build(StreamEnvironment env, SourceGate gate, string output)
        {
            var evens = env.FromSource(new GatedSource<long>(i => 2 * i, Count, gate), "evens").SetParallelism(1).Uid("evens")
                .Map(FailOnceAt(2 * (Half + 100))).SetParallelism(1).Uid("inject");
            var odds = env.FromSource(new GatedSource<long>(i => 2 * i + 1, Count, gate), "odds").SetParallelism(1).Uid("odds");
            evens.Union(odds)
                .KeyBy(x => x % 26)
                .Process(new StatefulCounter()).Uid("counter")
                .SinkTo(new TransactionalFileSink<string>(output)).Uid("sink");
        }

        var reference = await Run(Build, fail: false, fusion: fusion);
        var committed = await Run(Build, fail: true, fusion: fusion);
        Assert.Equal(2 * Count, reference.Count(l => !CountingJob.IsTimer(l)));
        Assert.Equal(reference, committed);
    }

    [Theory, InlineData(FusionMode.Enabled), InlineData(FusionMode.Disabled)]
    public async Task Event_time_windows_and_timers_give_the_failure_free_results_across_a_failure(FusionMode fusion)
    {
        void Build(StreamEnvironment env, SourceGate gate, string output)
        {
            var numbers = env.FromSource(new GatedSource<long>(i => i, Count, gate), WatermarkStrategy.ForMonotonousTimestamps<long>(x => x), "numbers")
                .SetParallelism(1).Uid("numbers")
                .Map(FailOnceAt(Half + 250)).SetParallelism(1).Uid("inject");
            numbers.KeyBy(x => x % 5)
                .Process(new StatefulCounter()).Uid("timers")
                .SinkTo(new TransactionalFileSink<string>(Path.Combine(output, "timers"))).Uid("timers sink");
            numbers.KeyBy(x => x % 5)
                .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
                .Reduce((a, b) => a + b).Uid("window")
                .Map(sum => $"window sum {sum}").Uid("format")
                .SinkTo(new TransactionalFileSink<string>(Path.Combine(output, "windows"))).Uid("windows sink");
        }

        await Run(Build, fail: false, fusion: fusion);
        await Run(Build, fail: true, fusion: fusion);
        var referenceTimers = Committed(Path.Combine(Root, "reference", "timers"));
        var referenceWindows = Committed(Path.Combine(Root, "reference", "windows"));
        Assert.Equal((int)Count / 100 * 5, referenceWindows.Count);
        Assert.Contains(referenceTimers, CountingJob.IsTimer);
        Assert.Equal(referenceTimers, Committed(Path.Combine(Root, "out", "timers")));
        Assert.Equal(referenceWindows, Committed(Path.Combine(Root, "out", "windows")));
    }

    [Fact]
    public async Task Sliding_slice_table_windows_with_process_function_state_give_the_failure_free_results_across_a_failure()
    {
        // Long keys without allowed lateness: the slice table; the process function's global state lives in the nested
        // binary backend, so both parts of the operator's keyed snapshot are restored.
        void Build(StreamEnvironment env, SourceGate gate, string output)
        {
            var numbers = env.FromSource(new GatedSource<long>(i => i, Count, gate), WatermarkStrategy.ForMonotonousTimestamps<long>(x => x), "numbers")
                .SetParallelism(1).Uid("numbers")
                .Map(FailOnceAt(Half + 250)).SetParallelism(1).Uid("inject");
            numbers.KeyBy(x => x % 5)
                .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)))
                .Reduce((a, b) => a + b, new NumberedFirings()).Uid("window")
                .SinkTo(new TransactionalFileSink<string>(Path.Combine(output, "windows"))).Uid("windows sink");
        }

        await Run(Build, fail: false, fusion: FusionMode.Disabled);
        await Run(Build, fail: true, fusion: FusionMode.Disabled);
        var reference = Committed(Path.Combine(Root, "reference", "windows"));
        Assert.Equal((((int)Count / 50) + 3) * 5, reference.Count);
        Assert.Contains("key 0 window 2950 firing 63 sum", reference.Single(l => l.StartsWith("key 0 window 2950 ", StringComparison.Ordinal)));
        Assert.Equal(reference, Committed(Path.Combine(Root, "out", "windows")));
    }

    /// <summary>Numbers each key's firings in its global state: a state lost or doubled in recovery changes the numbers.</summary>
    private sealed class NumberedFirings : ProcessWindowFunction<long, string, long, TimeWindow>
    {
        public override void Process(long key, Context context, IEnumerable<long> elements, Functions.ICollector<string> output)
        {
            var fired = context.GlobalState.GetValueState(new DataflowCompiler.State.ValueStateDescriptor<long>("fired"));
            long n = fired.Value() + 1;
            fired.Update(n);
            output.Collect(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"key {key} window {context.Window.Start} firing {n} sum {elements.Single()}"));
        }
    }
}
