namespace DataflowCompiler;

/// <summary>The job was cancelled before it finished.</summary>
public sealed class JobCanceledException : OperationCanceledException
{
    internal JobCanceledException(Guid jobId, string jobName)
        : base($"Job '{jobName}' ({jobId}) was cancelled.")
    {
        JobId = jobId;
    }

    public Guid JobId { get; }
}
