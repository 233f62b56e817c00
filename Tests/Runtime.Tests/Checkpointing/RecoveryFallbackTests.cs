namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// Recovery with a damaged latest checkpoint falls back to the previous retained one, reports the problem with the
/// path, and the 2PC sink's output stays exactly-once.
/// </summary>
public sealed class RecoveryFallbackTests : CheckpointTestBase
{
    private const long Count = 3_000;
    private const long Half = 1_500;
    private int _armed;

    public enum Damage
    {
        TruncateOperatorState,
        FlipOperatorState,
        TruncateKeyedState,
        FlipKeyedState,
        DeleteMetadata,
    }

    private async Task<List<string>> Reference()
    {
        string output = Path.Combine(Root, "reference");
        var env = Environment(2);
        CountingJob.Build(env, new SourceGate(long.MaxValue), Count, 2, output, eventTime: false);
        await env.ExecuteAsync("reference").Completion.WaitAsync(Hang);
        return Committed(output);
    }

    [Theory]
    [InlineData(Damage.TruncateOperatorState)]
    [InlineData(Damage.FlipOperatorState)]
    [InlineData(Damage.TruncateKeyedState)]
    [InlineData(Damage.FlipKeyedState)]
    [InlineData(Damage.DeleteMetadata)]
    public async Task A_damaged_latest_checkpoint_is_reported_and_recovery_falls_back_to_the_previous_one(Damage damage)
    {
        var reference = await Reference();
        string output = Path.Combine(Root, "out");
        var gate = new SourceGate(Half);
        var env = Environment(2);
        env.Configuration.Checkpointing.RetainedCheckpoints = 2;
        var probe = CountingJob.Build(env, gate, Count, 2, output, eventTime: false, inject: x =>
            x == Half + 100 && Interlocked.Exchange(ref _armed, 0) == 1 ? throw new InvalidOperationException("injected") : x);
        var client = env.ExecuteAsync("fallback");
        await Until(() => gate.Emitted >= Half || client.Completion.IsCompleted, "the source to reach the gate");

        // Two checkpoints with no record between them: restoring either gives the same results.
        string previous = await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang);
        string latest = await client.Master.Coordinator!.TriggerCheckpointAsync().WaitAsync(Hang);
        long previousId = long.Parse(Path.GetFileName(previous)["chk-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        long latestId = long.Parse(Path.GetFileName(latest)["chk-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        string damaged = Apply(damage, latest, latestId);

        Volatile.Write(ref _armed, 1);
        gate.Open();
        await client.Completion.WaitAsync(Hang);

        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(reference, Committed(output));
        // The last attempt restored the previous checkpoint. A damaged block of keyed state shows only while the
        // tasks restore it, so one attempt may have started from the latest first.
        Assert.Contains(previousId, probe.RestoredCheckpointIds);
        Assert.Equal(damage == Damage.FlipKeyedState ? 2 : 1, client.Restarts);
        if (damage != Damage.FlipKeyedState)
        {
            Assert.DoesNotContain(latestId, probe.RestoredCheckpointIds);
        }
        if (damage != Damage.DeleteMetadata)
        {
            Assert.Contains(client.RecoveryProblems, p => p.Contains(damaged, StringComparison.Ordinal) && p.Contains($"{latestId}", StringComparison.Ordinal));
        }
    }

    /// <summary>Damages one file only the latest checkpoint uses; returns its path.</summary>
    private static string Apply(Damage damage, string latest, long latestId)
    {
        string metadata = Path.Combine(latest, "_metadata");
        if (damage == Damage.DeleteMetadata)
        {
            File.Delete(metadata);
            return metadata;
        }
        string file = damage is Damage.TruncateOperatorState or Damage.FlipOperatorState
            ? Directory.GetFiles(latest).First(f => Path.GetFileName(f).StartsWith("sink-0-operator", StringComparison.Ordinal))
            : Directory.GetFiles(Path.Combine(latest, "..", "shared"), $"{latestId}-*").Select(Path.GetFullPath)
                .First(f => Path.GetFileName(f).StartsWith($"{latestId}-counter-0-keyed", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(file);
        if (damage is Damage.TruncateOperatorState or Damage.TruncateKeyedState)
        {
            File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x5A;
            File.WriteAllBytes(file, bytes);
        }
        return file;
    }
}
