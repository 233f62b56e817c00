namespace DataflowCompiler.Time;

/// <summary>
/// Time and timers as a process function sees them (Flink's TimerService). Timers exist only on keyed
/// streams: they belong to the current key, and there is at most one timer per key, time domain and
/// timestamp (registering it again does nothing). Times are milliseconds.
/// </summary>
public interface ITimerService
{
    /// <summary>The processing time of the task's clock, in milliseconds since the Unix epoch.</summary>
    long CurrentProcessingTime { get; }

    /// <summary>The operator's current event time (its last watermark); <see cref="long.MinValue"/> before the first.</summary>
    long CurrentWatermark { get; }

    /// <summary>Registers a timer that fires once the watermark reaches <paramref name="time"/>.</summary>
    void RegisterEventTimeTimer(long time);

    /// <summary>Registers a timer that fires once the processing-time clock reaches <paramref name="time"/>.</summary>
    void RegisterProcessingTimeTimer(long time);

    /// <summary>Deletes the current key's event-time timer at <paramref name="time"/>, if there is one.</summary>
    void DeleteEventTimeTimer(long time);

    /// <summary>Deletes the current key's processing-time timer at <paramref name="time"/>, if there is one.</summary>
    void DeleteProcessingTimeTimer(long time);
}
