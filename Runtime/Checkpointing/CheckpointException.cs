namespace DataflowCompiler;

/// <summary>A checkpoint or savepoint failed: declined by a task, timed out, or could not be written or restored.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A task gave up a checkpoint because a newer one overtook it; not a failure of the job's checkpointing.</summary>
internal sealed class CheckpointSubsumedException(string message) : Exception(message);
