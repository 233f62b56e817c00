namespace DataflowCompiler;

/// <summary>Where a job is in its life.</summary>
public enum JobStatus
{
    Created,
    Running,
    Finished,
    Failing,
    Failed,
    Canceling,
    Canceled,

    /// <summary>A task failed and the restart strategy allows another attempt: the job waits, then restores from its latest checkpoint.</summary>
    Restarting,
}
