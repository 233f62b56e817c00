namespace DataflowCompiler;

/// <summary>A checkpoint or savepoint file is missing, truncated or fails its checksum; the message names the file.</summary>
public sealed class CheckpointCorruptedException(string message, Exception? inner = null) : IOException(message, inner);
