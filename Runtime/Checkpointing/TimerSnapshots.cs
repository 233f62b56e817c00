using DataflowCompiler.State;
using DataflowCompiler.Time;

namespace DataflowCompiler.Checkpointing;

/// <summary>Timers of a keyed operator in a snapshot's "timers" section (captured in the synchronous phase: timers are few).</summary>
internal static class TimerSnapshots
{
    public static byte[] Snapshot(ITimerSnapshots timeServices)
    {
        using var buffer = new MemoryStream();
        timeServices.WriteSnapshot(buffer);
        return buffer.ToArray();
    }

    public static void Restore(ITimerSnapshots timeServices, IEnumerable<byte[]> sections, KeyGroupRange keyGroups)
    {
        foreach (var section in sections)
        {
            using var input = new MemoryStream(section, writable: false);
            timeServices.Restore(input, keyGroups);
        }
    }
}

/// <summary>The timer services of an operator, as a snapshot sees them (whatever their key type).</summary>
internal interface ITimerSnapshots
{
    void WriteSnapshot(Stream output);

    void Restore(Stream input, KeyGroupRange keyGroups);
}
