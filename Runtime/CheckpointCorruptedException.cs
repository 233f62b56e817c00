namespace DataflowCompiler;

/// <summary>
/// A checkpoint or savepoint file is missing, truncated or fails its checksum. The message names the file and what is
/// wrong with it; recovery reports it and falls back to an earlier checkpoint when there is one.
/// </summary>
public sealed class CheckpointCorruptedException : IOException
{
    internal CheckpointCorruptedException(string path, string problem, Exception? innerException = null)
        : base($"Checkpoint file '{path}' is corrupted: {problem}.", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that is missing, truncated or corrupted.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file, e.g. "checksum mismatch in block 3 at offset 196608".</summary>
    public string Problem { get; }
}
