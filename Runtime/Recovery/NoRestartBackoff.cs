namespace DataflowCompiler.Recovery;

/// <summary>Never restarts: the first failure fails the job.</summary>
internal sealed class NoRestartBackoff : IRestartBackoff
{
    public bool CanRestart(DateTimeOffset now, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        return false;
    }
}
