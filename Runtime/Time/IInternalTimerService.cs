using DataflowCompiler.State;

namespace DataflowCompiler.Time;

/// <summary>The type-independent view of a timer service that its manager (and later the checkpoint) uses.</summary>
internal interface IInternalTimerService
{
    string Name { get; }

    long CurrentWatermark { get; }

    int EventTimeTimerCount { get; }

    int ProcessingTimeTimerCount { get; }

    /// <summary>Fires, in timestamp order, every event-time timer at or below <paramref name="watermark"/>.</summary>
    void AdvanceWatermark(long watermark);

    /// <summary>Writes both domains' timers (see <see cref="TimeServiceManager{TKey}.WriteSnapshot"/> for the format).</summary>
    void WriteTimers(SnapshotWriter output);

    /// <summary>Puts back a timer read from a snapshot; an equal timer that is already there stays one timer.</summary>
    void RestoreTimer(TimeDomain domain, int keyGroup, ReadOnlySpan<byte> key, ReadOnlySpan<byte> ns, long timestamp);
}
