using DataflowCompiler.Fusion;
using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>A temporary directory per test, environments that checkpoint into it, and polling helpers.</summary>
public abstract class CheckpointTestBase : IDisposable
{
    protected static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    protected CheckpointTestBase() => Root = Path.Combine(Path.GetTempPath(), "dfc-" + GetType().Name + "-" + Guid.NewGuid().ToString("N"));

    protected string Root { get; }

    protected string Checkpoints => Path.Combine(Root, "checkpoints");

    protected string Savepoints => Path.Combine(Root, "savepoints");

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>An environment with checkpoints every <paramref name="interval"/> (an hour: only savepoints and the final checkpoint).</summary>
    protected StreamEnvironment Environment(int parallelism, TimeSpan? interval = null, FusionMode fusion = FusionMode.Enabled,
        SavepointRestoreSettings? restore = null, CheckpointingMode mode = CheckpointingMode.ExactlyOnce)
    {
        var env = StreamEnvironment.CreateLocal(parallelism).EnableCheckpointing(interval ?? TimeSpan.FromHours(1), mode);
        env.Configuration.Checkpointing.Directory = Checkpoints;
        env.Configuration.Fusion = fusion;
        env.Configuration.SavepointRestore = restore;
        env.Configuration.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(1));
        return env;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Hang"/> with <paramref name="what"/>.</summary>
    protected static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Hang;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
            await Task.Delay(5);
        }
    }

    protected static List<string> Committed(string directory) =>
        Directory.Exists(directory) ? [.. TransactionalFileSink<string>.ReadCommitted(directory).Order(StringComparer.Ordinal)] : [];

    /// <summary>The completed checkpoint directories of every job under <see cref="Checkpoints"/>, by id.</summary>
    protected List<(long Id, string Path)> CompletedCheckpoints() =>
        !Directory.Exists(Checkpoints) ? [] :
        [.. Directory.GetDirectories(Checkpoints, "chk-*", SearchOption.AllDirectories)
            .Where(d => File.Exists(Path.Combine(d, "_metadata")))
            .Select(d => (long.Parse(Path.GetFileName(d)["chk-".Length..], System.Globalization.CultureInfo.InvariantCulture), d))
            .OrderBy(c => c.Item1)];
}
