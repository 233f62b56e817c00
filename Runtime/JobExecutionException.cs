namespace DataflowCompiler;

/// <summary>A job failed. The message names the failing task; the inner exception is the cause (often a <see cref="Operators.UserCodeException"/>).</summary>
public sealed class JobExecutionException : Exception
{
    internal JobExecutionException(Guid jobId, string jobName, string taskName, Exception cause)
        : base($"Job '{jobName}' ({jobId}) failed: task '{taskName}' failed: {cause.Message}", cause)
    {
        JobId = jobId;
        TaskName = taskName;
    }

    internal JobExecutionException(Guid jobId, string jobName, Exception? cause, string message)
        : base($"Job '{jobName}' ({jobId}) failed: {message}", cause)
    {
        JobId = jobId;
        TaskName = "";
    }

    public Guid JobId { get; }

    /// <summary>The subtask that failed first, as "Chain name (i/p)".</summary>
    public string TaskName { get; }
}
