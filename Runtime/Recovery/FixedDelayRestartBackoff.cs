namespace DataflowCompiler.Recovery;

/// <summary>Restarts after a fixed delay, at most <c>attempts</c> times over the life of the job.</summary>
internal sealed class FixedDelayRestartBackoff(int attempts, TimeSpan restartDelay) : IRestartBackoff
{
    private int _failures;

    public bool CanRestart(DateTimeOffset now, out TimeSpan delay)
    {
        _failures = _failures == int.MaxValue ? int.MaxValue : _failures + 1;
        bool restart = _failures <= attempts;
        delay = restart ? restartDelay : TimeSpan.Zero;
        return restart;
    }
}
