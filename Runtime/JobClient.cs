using DataflowCompiler.Cluster;

namespace DataflowCompiler;

/// <summary>A handle on a submitted job: its status, its completion, and cancellation.</summary>
public sealed class JobClient
{
    private readonly JobMaster _master;

    internal JobClient(JobMaster master) => _master = master;

    public Guid JobId => _master.JobId;

    public string JobName => _master.JobName;

    public JobStatus Status => _master.Status;

    /// <summary>Completes with the result, faults with a <see cref="JobExecutionException"/>, or is cancelled.</summary>
    public Task<JobExecutionResult> Completion => _master.Completion;

    /// <summary>Cancels every task; completes when all have stopped and returned their memory.</summary>
    public async Task CancelAsync()
    {
        _master.Cancel();
        try
        {
            await _master.Completion.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (JobExecutionException)
        {
        }
    }
}
