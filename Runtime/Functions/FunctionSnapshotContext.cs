namespace DataflowCompiler.Functions;

/// <summary>What <see cref="ICheckpointedFunction.SnapshotState"/> knows about the checkpoint being taken.</summary>
public sealed class FunctionSnapshotContext
{
    /// <param name="checkpointId">The checkpoint's id; ids grow with every checkpoint of a job.</param>
    /// <param name="checkpointTimestamp">When the coordinator triggered the checkpoint, in milliseconds since the Unix epoch.</param>
    public FunctionSnapshotContext(long checkpointId, long checkpointTimestamp)
    {
        CheckpointId = checkpointId;
        CheckpointTimestamp = checkpointTimestamp;
    }

    /// <summary>The checkpoint's id; ids grow with every checkpoint of a job.</summary>
    public long CheckpointId { get; }

    /// <summary>When the coordinator triggered the checkpoint, in milliseconds since the Unix epoch.</summary>
    public long CheckpointTimestamp { get; }
}
