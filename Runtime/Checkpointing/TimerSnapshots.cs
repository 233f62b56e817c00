using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing;

/// <summary>Timers of a keyed operator in a snapshot's "timers" section.</summary>
internal static class TimerSnapshots
{
    // TEMPORARY until the state branch merges: timers are not yet written.
    public static byte[]? Snapshot(object timeServices) => null;

    public static void Restore(object timeServices, IEnumerable<byte[]> sections, KeyGroupRange keyGroups)
    {
    }
}
