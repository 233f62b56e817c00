namespace DataflowCompiler;

/// <summary>A checkpoint or savepoint failed: declined by a task, timed out, or could not be written or restored.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
