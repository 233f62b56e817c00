namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>What the checkpoint directory looks like once a job with failed checkpoints finished.</summary>
// The runs share the static fault schedule, inputs and sink: one collection, so xunit never runs two at once.
[Collection(nameof(ExactlyOnceProperties))]
public sealed class CheckpointStorageProperties
{
    /// <summary>
    /// A failed or aborted checkpoint's <c>chk-N</c> directory is discarded while the asynchronous snapshot phase of
    /// tasks that had not acknowledged it may still run. Such a writer used to recreate <c>chk-N</c> afterwards; now a
    /// late acknowledgement deletes what it wrote, and an ending attempt waits for its writers before it cleans up
    /// (docs/checkpoints.md: every failed checkpoint's directory is removed). The race does not happen in every run,
    /// so the fact runs declined checkpoints 30 times.
    /// </summary>
    [Fact]
    public void No_directory_of_a_failed_checkpoint_is_left_when_the_job_finishes()
    {
        for (int seed = 1; seed <= 30; seed++)
        {
            var scenario = new Scenario(EoJob.KeyBySumMap, Parallelism: 4, Fused: false, AtLeastOnce: false, FileSink: false, Keys: 8, Length: 2000, Seed: seed,
                Faults: [new(FaultKind.Snapshot, 2), new(FaultKind.Snapshot, 4), new(FaultKind.Snapshot, 6)]);
            var run = ExactlyOnceProperties.Execute(scenario);
            Assert.True(run.Orphans.Count == 0,
                $"{scenario}: after the job finished ({run.Restarts} restarts, faults fired: {run.FiredFaults}) the checkpoint directory still holds {string.Join(", ", run.Orphans)} without _metadata");
        }
    }
}
