namespace DataflowCompiler.Recovery;

/// <summary>
/// The per-job state of a <see cref="RestartStrategy"/> (Flink's <c>RestartBackoffTimeStrategy</c>): decides, once per
/// failure, whether the job restarts and after how long. Deterministic: time comes in as <c>now</c> (the job master
/// reads it from its <see cref="TimeProvider"/>) and jitter from the <see cref="Random"/> it was created with.
/// Not thread-safe; the job master calls it from one thread.
/// </summary>
internal interface IRestartBackoff
{
    /// <summary>Records a failure at <paramref name="now"/> and says whether the job may restart.</summary>
    /// <param name="now">When the failure happened.</param>
    /// <param name="delay">How long to wait before restarting; <see cref="TimeSpan.Zero"/> when the job may not restart.</param>
    /// <returns>False when the strategy gives up: the job fails for good.</returns>
    bool CanRestart(DateTimeOffset now, out TimeSpan delay);
}
