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
}
