using System.Collections.Concurrent;
using DataflowCompiler.Functions;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// A pass-through map that records what its subtasks hear of checkpoints, in order ("init", "snapshot n",
/// "complete n", "aborted n"), and can be told to throw from its next snapshots or to block in <see cref="Map"/>.
/// The copies of all subtasks and attempts share the records.
/// </summary>
public sealed class CheckpointRecorder : IMapFunction<long, long>, ICheckpointedFunction, ICheckpointListener
{
    private readonly SemaphoreSlim _release = new(0);
    private readonly ManualResetEventSlim _blocked = new();
    private readonly Switches _switches = new(); // shared by the per-subtask copies, unlike value fields

    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>The next <paramref name="times"/> snapshots throw.</summary>
    public void ThrowOnSnapshot(int times) => Volatile.Write(ref _switches.ThrowOnSnapshot, times);

    /// <summary>The record <paramref name="value"/> blocks its task until <see cref="Release"/>.</summary>
    public void BlockAt(long value) => Volatile.Write(ref _switches.BlockAt, value);

    public bool WaitUntilBlocked(TimeSpan timeout) => _blocked.Wait(timeout);

    public void Release() => _release.Release();

    public List<long> Ids(string kind) =>
        [.. Events.Where(e => e.StartsWith(kind + " ", StringComparison.Ordinal)).Select(e => long.Parse(e[(kind.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))];

    public long Map(long value)
    {
        if (value == Volatile.Read(ref _switches.BlockAt) && Interlocked.CompareExchange(ref _switches.BlockAt, -1, value) == value)
        {
            _blocked.Set();
            _release.Wait();
        }
        return value;
    }

    public void InitializeState(FunctionInitializationContext context) => Events.Enqueue("init");

    public void SnapshotState(FunctionSnapshotContext context)
    {
        Events.Enqueue($"snapshot {context.CheckpointId}");
        if (Interlocked.Decrement(ref _switches.ThrowOnSnapshot) >= 0)
        {
            throw new InvalidOperationException($"injected snapshot failure in checkpoint {context.CheckpointId}");
        }
    }

    public void NotifyCheckpointComplete(long checkpointId) => Events.Enqueue($"complete {checkpointId}");

    public void NotifyCheckpointAborted(long checkpointId) => Events.Enqueue($"aborted {checkpointId}");

    private sealed class Switches
    {
        public int ThrowOnSnapshot;
        public long BlockAt = -1;
    }
}
