using DataflowCompiler.Cluster;

namespace DataflowCompiler;

/// <summary>A handle on a submitted job: its status, its completion, and cancellation.</summary>
public sealed class JobClient
{
    private readonly JobMaster _master;

    internal JobClient(JobMaster master) => _master = master;

    /// <summary>The job master (tests reach the checkpoint coordinator through it).</summary>
    internal JobMaster Master => _master;

    public Guid JobId => _master.JobId;

    public string JobName => _master.JobName;

    public JobStatus Status => _master.Status;

    /// <summary>Completes with the result, faults with a <see cref="JobExecutionException"/>, or is cancelled.</summary>
    public Task<JobExecutionResult> Completion => _master.Completion;

    /// <summary>How many times the job restarted after a failure.</summary>
    public int Restarts => _master.Restarts;

    /// <summary>
    /// Checkpoints a recovery could not restore (a missing, truncated or corrupt file) and skipped for an older one,
    /// each naming the checkpoint, the file and the problem. Empty while every recovery used the latest checkpoint.
    /// </summary>
    public IReadOnlyList<string> RecoveryProblems => _master.RecoveryProblems;

    /// <summary>
    /// Takes a savepoint of the running job into a new <c>savepoint-…</c> directory under <paramref name="directory"/>
    /// and returns its path (pass it to <see cref="SavepointRestoreSettings"/> to start a job from it).
    /// </summary>
    /// <exception cref="CheckpointException">The savepoint failed; the job goes on.</exception>
    public Task<string> TriggerSavepointAsync(string directory) => _master.TriggerSavepointAsync(directory, stop: false);

    /// <summary>
    /// Stop-with-savepoint: sources stop reading, a savepoint is taken, its side effects are committed, and the job
    /// ends (status <see cref="JobStatus.Finished"/>). Returns the savepoint's path.
    /// </summary>
    public async Task<string> StopWithSavepointAsync(string directory)
    {
        string path = await _master.TriggerSavepointAsync(directory, stop: true).ConfigureAwait(false);
        await _master.Completion.ConfigureAwait(false);
        return path;
    }

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
