using DataflowCompiler.Network;

namespace DataflowCompiler.Checkpointing;

/// <summary>What a barrier asks of the tasks it passes.</summary>
internal enum BarrierKind
{
    /// <summary>A periodic checkpoint.</summary>
    Checkpoint,

    /// <summary>
    /// The checkpoint after every source reached the end of its input: tasks exit once it is complete, so the
    /// output of a bounded job is committed by a checkpoint like any other.
    /// </summary>
    Final,

    /// <summary>A savepoint: a full, self-contained snapshot; the job goes on.</summary>
    Savepoint,

    /// <summary>A savepoint after which sources stop reading and every task exits once it is complete (stop-with-savepoint).</summary>
    StopWithSavepoint,
}

/// <summary>
/// Checkpoint barrier n, injected by the sources into every output channel and forwarded by every task once it
/// took its snapshot. Immutable: in-process channels pass the instance itself.
/// </summary>
internal sealed class CheckpointBarrier(long checkpointId, long timestampMilliseconds, BarrierKind kind, string? targetDirectory = null) : RuntimeEvent
{
    /// <summary>Where a savepoint is written (its own directory); null for checkpoints.</summary>
    public string? TargetDirectory { get; } = targetDirectory;

    public long CheckpointId { get; } = checkpointId;

    public long TimestampMilliseconds { get; } = timestampMilliseconds;

    public BarrierKind Kind { get; } = kind;

    /// <summary>Savepoints are full and self-contained; checkpoints may be incremental.</summary>
    public bool IsSavepoint => Kind is BarrierKind.Savepoint or BarrierKind.StopWithSavepoint;

    /// <summary>Tasks exit once this checkpoint is complete.</summary>
    public bool EndsTasks => Kind is BarrierKind.Final or BarrierKind.StopWithSavepoint;

    public override string ToString() => $"CheckpointBarrier({CheckpointId}, {Kind})";
}

/// <summary>
/// The producer has emitted all its records (bounded input): the consumer finishes its operators once every
/// input channel delivered it, while the channel stays open for the final checkpoint's barrier.
/// </summary>
internal sealed class EndOfDataEvent : RuntimeEvent
{
    public static readonly EndOfDataEvent Instance = new();

    private EndOfDataEvent()
    {
    }
}
