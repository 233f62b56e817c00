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
}
