namespace DataflowCompiler.Time;

/// <summary>The time machinery one task shares among its operators: the current record timestamp, the processing-time timers, the settings.</summary>
internal sealed class TaskTimeServices(TimeProvider timeProvider, TimeSpan autoWatermarkInterval)
{
    public static TimeSpan DefaultAutoWatermarkInterval => TimeSpan.FromMilliseconds(200);

    public RecordTimestamp RecordTimestamp { get; } = new();

    public ProcessingTimeService ProcessingTime { get; } = new(timeProvider);

    public TimeProvider TimeProvider => timeProvider;

    /// <summary>How often periodic watermark generators emit; zero turns periodic emission off.</summary>
    public TimeSpan AutoWatermarkInterval => autoWatermarkInterval;
}
