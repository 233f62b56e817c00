// TEMPORARY until the operator-state branch (restart strategies) merges.
namespace DataflowCompiler;

internal interface IRestartBackoff
{
    bool CanRestart(DateTimeOffset now, out TimeSpan delay);
}

internal static class RestartBackoffs
{
    public static IRestartBackoff Create(StreamConfiguration configuration) => new Fixed(configuration.Checkpointing.IsEnabled ? 3 : 0);

    private sealed class Fixed(int attempts) : IRestartBackoff
    {
        private int _left = attempts;

        public bool CanRestart(DateTimeOffset now, out TimeSpan delay)
        {
            delay = TimeSpan.FromMilliseconds(10);
            return _left-- > 0;
        }
    }
}
