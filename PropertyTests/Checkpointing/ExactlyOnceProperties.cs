using DataflowCompiler.Fusion;
using DataflowCompiler.Sinks;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Sdk;

namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>
/// Exactly-once under random faults: random catalogue jobs (reduce, sum, keyed process with timers, union into
/// windows) over random keyed inputs, at parallelism 1–4, fused and interpreted, into a two-phase-commit sink (a
/// transactional store with idempotent commits, or the transactional file sink), with 10 ms checkpoints and a random
/// schedule of faults in a user function, in a snapshot, in a restore and in the sink's commit.
/// In exactly-once mode the committed output equals the failure-free run's and the LINQ model's (the same records,
/// per key in the same order); in at-least-once mode nothing of the failure-free output is missing. The job ends
/// Finished with at least one restart per fault that fired.
/// </summary>
/// <remarks>
/// A failure prints the smallest scenario FsCheck shrank to (as C# for <see cref="Replay"/>) and FsCheck's seed.
/// <c>EXACTLY_ONCE_CASES</c> sets the number of exactly-once cases (at-least-once runs a third as many).
/// </remarks>
// The runs share the static fault schedule, inputs and sink: one collection, so xunit never runs two at once.
[Collection(nameof(ExactlyOnceProperties))]
public sealed class ExactlyOnceProperties
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("EXACTLY_ONCE_CASES"), out int n) ? n : 80;

    private static readonly Gen<Fault> FaultGen =
        from kind in Gen.Elements(FaultKind.Record, FaultKind.Snapshot, FaultKind.Restore, FaultKind.Commit)
        from record in Gen.Choose(1, 3000)
        from small in Gen.Choose(1, 8)
        from after in Gen.Elements(true, false)
        select kind switch
        {
            FaultKind.Record => new Fault(kind, record),
            FaultKind.Restore => new Fault(kind, 0),
            FaultKind.Commit => new Fault(kind, small, after),
            _ => new Fault(kind, small),
        };

    private static Arbitrary<Scenario> Scenarios(bool atLeastOnce) =>
        Arb.From(
            from job in Gen.Elements(Enum.GetValues<EoJob>())
            from parallelism in Gen.Choose(1, 4)
            from fused in Gen.Elements(true, false)
            from fileSink in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from keys in Gen.Choose(1, 12)
            from length in Gen.Choose(0, 3000)
            from seed in Gen.Choose(0, int.MaxValue)
            from faults in Gen.Choose(0, 4).SelectMany(count => Gen.ArrayOf(FaultGen, count))
            from unaligned in Gen.Frequency((1, Gen.Constant(!atLeastOnce)), (2, Gen.Constant(false))) // unaligned needs exactly-once
            select new Scenario(job, parallelism, fused, atLeastOnce, fileSink, keys, length, seed, faults, unaligned),
            Shrink);

    /// <summary>Fewer faults, a shorter input, lower parallelism, fewer keys, aligned checkpoints, earlier faults; the store sink.</summary>
    private static IEnumerable<Scenario> Shrink(Scenario s)
    {
        for (int i = 0; i < s.Faults.Count; i++)
        {
            yield return s with { Faults = [.. s.Faults.Where((_, j) => j != i)] };
        }
        if (s.Length > 0)
        {
            yield return s with { Length = s.Length / 2 };
        }
        if (s.Parallelism > 1)
        {
            yield return s with { Parallelism = 1 };
            yield return s with { Parallelism = s.Parallelism - 1 };
        }
        if (s.Keys > 1)
        {
            yield return s with { Keys = s.Keys / 2 };
        }
        if (s.Unaligned)
        {
            yield return s with { Unaligned = false };
        }
        if (s.FileSink && !s.Faults.Any(f => f.Kind == FaultKind.Commit))
        {
            yield return s with { FileSink = false };
        }
        for (int i = 0; i < s.Faults.Count; i++)
        {
            if (s.Faults[i].At > 1)
            {
                var earlier = s.Faults[i] with { At = s.Faults[i].At / 2 };
                yield return s with { Faults = [.. s.Faults.Select((f, j) => j == i ? earlier : f)] };
            }
        }
    }

    private static int _firedInProperty;
    private static int _restoredInProperty;

    [Fact]
    public void Exactly_once_the_committed_output_equals_the_failure_free_output_despite_faults()
    {
        _firedInProperty = 0;
        _restoredInProperty = 0;
        Prop.ForAll(Scenarios(atLeastOnce: false), Check).Check(Config.QuickThrowOnFailure.WithMaxTest(Cases));
        // A property whose faults never fire proves nothing.
        Assert.True(_firedInProperty > 0 && _restoredInProperty > 0, $"{_firedInProperty} faults fired and {_restoredInProperty} restores from a checkpoint happened in all cases");
    }

    [Fact]
    public void At_least_once_nothing_of_the_failure_free_output_is_lost_despite_faults()
    {
        _firedInProperty = 0;
        _restoredInProperty = 0;
        Prop.ForAll(Scenarios(atLeastOnce: true), Check).Check(Config.QuickThrowOnFailure.WithMaxTest(Math.Max(1, Cases / 3)));
        Assert.True(_firedInProperty > 0 && _restoredInProperty > 0, $"{_firedInProperty} faults fired and {_restoredInProperty} restores from a checkpoint happened in all cases");
    }

    /// <summary>Every kind of fault fires in every job (on the store sink, whose commits can fail), and the output stays exact.</summary>
    [Fact]
    public void Every_fault_kind_fires_in_every_job_and_the_output_stays_exact()
    {
        foreach (var job in Enum.GetValues<EoJob>())
        {
            var scenario = new Scenario(job, Parallelism: 2, Fused: job is EoJob.MapFilterReduce or EoJob.KeyBySumMap, AtLeastOnce: false, FileSink: false,
                Keys: 5, Length: 2000, Seed: 7 + (int)job,
                Faults: [new(FaultKind.Record, 1000), new(FaultKind.Snapshot, 2), new(FaultKind.Commit, 1, AfterCommit: true), new(FaultKind.Restore, 0)]);
            var run = Replay(scenario);
            Assert.True(run.Fired == 4, $"{scenario}: {run.Fired} of 4 faults fired ({run.FiredFaults})");
        }
    }

    /// <summary>Runs one scenario and its failure-free twin and checks the properties; throws with the scenario on failure.</summary>
    public static Run Replay(Scenario scenario)
    {
        var expected = ExactlyOnceModel.Expected(scenario);
        var failureFree = Execute(scenario.WithoutFaults());
        if (failureFree.Restarts != 0)
        {
            throw new XunitException($"{scenario}: the failure-free run restarted {failureFree.Restarts} times");
        }
        Compare(scenario, "the failure-free run against the model", expected, failureFree.Committed, exact: true);
        var run = Execute(scenario);
        Compare(scenario, "the run with faults against the failure-free run", failureFree.Committed, run.Committed, exact: !scenario.AtLeastOnce);
        if (!scenario.AtLeastOnce)
        {
            Compare(scenario, "the run with faults against the model", expected, run.Committed, exact: true);
        }
        // At most one fault fires per attempt (Faults), so every fault that fired costs exactly one restart, and nothing else may fail.
        if (run.Restarts != run.Fired)
        {
            throw new XunitException($"{scenario}: {run.Fired} faults fired ({run.FiredFaults}) but the job restarted {run.Restarts} times");
        }
        return run;
    }

    private static bool Check(Scenario scenario)
    {
        var run = Replay(scenario);
        Interlocked.Add(ref _firedInProperty, run.Fired);
        Interlocked.Add(ref _restoredInProperty, run.Restores);
        return true;
    }

    /// <summary>What a run committed, how often it restarted, and which faults fired.</summary>
    /// <param name="Orphans">Checkpoint directories without metadata (failed checkpoints) found right after the job finished.</param>
    /// <param name="Restores">How many subtask attempts started from a checkpoint (of the fault-injecting function).</param>
    public sealed record Run(IReadOnlyList<Result> Committed, int Restarts, int Fired, string FiredFaults, int Restores, IReadOnlyList<string> Orphans);

    internal static Run Execute(Scenario scenario)
    {
        string directory = Path.Combine(Path.GetTempPath(), "dfc-eoprops-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (records, second, m, bucket, window) = scenario.Inputs();
            ExactlyOnceInput.Records = records;
            ExactlyOnceInput.Second = second;
            ExactlyOnceInput.M = m;
            ExactlyOnceInput.Bucket = bucket;
            ExactlyOnceInput.Window = window;
            var store = new TransactionalStore();
            string output = Path.Combine(directory, "out");
            ExactlyOnceInput.Sink = scenario.FileSink ? new TransactionalFileSink<Result>(output, static r => r.Format()) : new StoreSink(store);
            Faults.Install(scenario.Faults);

            var log = new List<string>();
            var env = StreamEnvironment.CreateLocal(new StreamConfiguration
            {
                Parallelism = scenario.Parallelism,
                NetworkMemoryBytes = 32L * 1024 * 1024,
                ManagedMemoryBytes = 8L * 1024 * 1024,
                BufferTimeout = TimeSpan.FromMilliseconds(5),
                Fusion = scenario.Fused ? FusionMode.Enabled : FusionMode.Disabled,
                FusionLog = line => { lock (log) { log.Add(line); } },
            });
            env.EnableCheckpointing(TimeSpan.FromMilliseconds(10), scenario.AtLeastOnce ? CheckpointingMode.AtLeastOnce : CheckpointingMode.ExactlyOnce);
            env.Configuration.Checkpointing.Directory = Path.Combine(directory, "checkpoints");
            env.Configuration.Checkpointing.Unaligned = scenario.Unaligned;
            env.Configuration.RestartStrategy = RestartStrategy.FixedDelay(scenario.Faults.Count + 3, TimeSpan.FromMilliseconds(1));
            switch (scenario.Job)
            {
                case EoJob.MapFilterReduce: MapFilterReduce.Define(env); break;
                case EoJob.KeyBySumMap: KeyBySumMap.Define(env); break;
                case EoJob.KeyedTimers: KeyedTimers.Define(env); break;
                default: UnionWindow.Define(env); break;
            }

            var client = env.ExecuteAsync(scenario.Job.ToString());
            Faults.TrackAttempts(() => client.Restarts);
            try
            {
                client.Completion.WaitAsync(TimeSpan.FromSeconds(120)).GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                throw new XunitException($"{scenario}: the job did not finish after {client.Restarts} restarts ({Faults.Fired} faults fired: {Faults.FiredDescription}): {e}");
            }
            string checkpoints = Path.Combine(directory, "checkpoints");
            var orphans = Directory.Exists(checkpoints)
                ? Directory.GetDirectories(checkpoints, "chk-*", SearchOption.AllDirectories).Where(d => !File.Exists(Path.Combine(d, "_metadata"))).Select(Path.GetFileName).ToList()
                : [];
            if (client.Status != JobStatus.Finished)
            {
                throw new XunitException($"{scenario}: the job ended {client.Status}");
            }
            if (store.Violations.Count > 0)
            {
                throw new XunitException($"{scenario}: the sink broke the two-phase-commit protocol: {string.Join("; ", store.Violations)}");
            }
            if (scenario.Fused && scenario.Job is EoJob.MapFilterReduce or EoJob.KeyBySumMap
                && (log.Count == 0 || !log.All(l => l.Contains("runs fused", StringComparison.Ordinal))))
            {
                throw new XunitException($"{scenario}: not every chain ran fused:\n{string.Join("\n", log)}");
            }
            if (scenario.Fused && scenario.Job is EoJob.KeyedTimers
                && !log.Any(l => l.Contains("Timestamps/Watermarks' runs fused", StringComparison.Ordinal)))
            {
                throw new XunitException($"{scenario}: the event-time chain did not run fused:\n{string.Join("\n", log)}");
            }
            var committed = scenario.FileSink ? TransactionalFileSink<Result>.ReadCommitted(output).Select(Result.Parse).ToList() : store.Committed;
            return new Run(committed, client.Restarts, Faults.Fired, Faults.FiredDescription, Faults.Restores, orphans!);
        }
        finally
        {
            DeleteDirectory(directory);
        }
    }

    /// <summary>
    /// Deletes a run's directory. The runtime may still discard an aborted checkpoint's files just after the job
    /// completed (reported: <see cref="CheckpointStorageProperties"/>), so a file vanishing under the enumeration is retried.
    /// </summary>
    internal static void DeleteDirectory(string directory)
    {
        for (int attempt = 1; Directory.Exists(directory); attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException) when (attempt < 10)
            {
                // Something vanished or appeared during the enumeration; enumerate again.
            }
        }
    }

    /// <summary>
    /// Exact: the same multiset, and per key and kind the same order (every job's keyed operator gets each key's
    /// records from one ordered producer, and the sink is chained to it). Otherwise (at-least-once): every expected
    /// record is there at least as often — or, for windows fed by two inputs, whose counts duplicates may raise, every
    /// expected window is there with at least its count.
    /// </summary>
    private static void Compare(Scenario scenario, string what, IReadOnlyList<Result> expected, IReadOnlyList<Result> actual, bool exact)
    {
        var expectedCounts = expected.CountBy(r => r).ToDictionary();
        var actualCounts = actual.CountBy(r => r).ToDictionary();
        var missing = expectedCounts.Where(e => actualCounts.GetValueOrDefault(e.Key) < e.Value).Select(e => $"{e.Key} x{e.Value - actualCounts.GetValueOrDefault(e.Key)}").ToList();
        var extra = actualCounts.Where(a => expectedCounts.GetValueOrDefault(a.Key) < a.Value).Select(a => $"{a.Key} x{a.Value - expectedCounts.GetValueOrDefault(a.Key)}").ToList();
        if (!exact && scenario.Job == EoJob.UnionWindow)
        {
            missing = expected.Where(e => !actual.Any(a => a.Key == e.Key && a.A == e.A && a.B >= e.B)).Select(e => e.ToString()).ToList();
        }
        if (missing.Count > 0 || (exact && extra.Count > 0))
        {
            throw new XunitException(
                $"{scenario}: {what}: {expected.Count} records expected, {actual.Count} committed; " +
                $"missing {missing.Count}: [{string.Join(", ", missing.Take(5))}]" + (exact ? $"; extra {extra.Count}: [{string.Join(", ", extra.Take(5))}]" : "") +
                $"; faults fired: {Faults.FiredDescription}");
        }
        if (exact)
        {
            var actualByKey = actual.GroupBy(r => (r.Key, r.Kind)).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var group in expected.GroupBy(r => (r.Key, r.Kind)))
            {
                var committed = actualByKey[group.Key];
                int at = group.Zip(committed).TakeWhile(p => p.First == p.Second).Count();
                if (at < committed.Count)
                {
                    throw new XunitException($"{scenario}: {what}: key {group.Key.Key} kind {group.Key.Kind} out of order at its result {at}: expected {group.ElementAt(at)}, committed {committed[at]}");
                }
            }
        }
    }
}
