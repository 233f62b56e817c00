namespace DataflowCompiler.Time;

/// <summary>
/// The built-in watermark strategies (Flink's WatermarkStrategy factories). Give one to
/// <see cref="StreamEnvironment.FromSource{T}(Sources.ISource{T}, WatermarkStrategy{T}, string?)"/> or to
/// <see cref="DataStream{T}.AssignTimestampsAndWatermarks"/>. Timestamps and watermarks are milliseconds.
/// </summary>
public static class WatermarkStrategy
{
    /// <summary>
    /// Timestamps only grow: the watermark is the largest timestamp seen minus one, emitted periodically.
    /// The records keep the timestamps they already have unless a timestamp assigner is added.
    /// </summary>
    public static WatermarkStrategy<T> ForMonotonousTimestamps<T>() => ForBoundedOutOfOrderness<T>(TimeSpan.Zero);

    /// <summary>Timestamps only grow; <paramref name="timestamp"/> extracts each record's timestamp.</summary>
    public static WatermarkStrategy<T> ForMonotonousTimestamps<T>(Func<T, long> timestamp) =>
        ForMonotonousTimestamps<T>().WithTimestampAssigner(timestamp);

    /// <summary>
    /// Records are at most <paramref name="maxOutOfOrderness"/> late: the watermark is the largest timestamp
    /// seen minus the bound minus one millisecond, emitted periodically.
    /// </summary>
    public static WatermarkStrategy<T> ForBoundedOutOfOrderness<T>(TimeSpan maxOutOfOrderness)
    {
        if (maxOutOfOrderness < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxOutOfOrderness), maxOutOfOrderness, "The out-of-orderness bound cannot be negative.");
        }
        return new WatermarkStrategy<T>(_ => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness), null, null);
    }

    /// <summary>Bounded out-of-orderness with <paramref name="timestamp"/> extracting each record's timestamp.</summary>
    public static WatermarkStrategy<T> ForBoundedOutOfOrderness<T>(TimeSpan maxOutOfOrderness, Func<T, long> timestamp) =>
        ForBoundedOutOfOrderness<T>(maxOutOfOrderness).WithTimestampAssigner(timestamp);

    /// <summary>
    /// Punctuated watermarks: for every record, <paramref name="checkAndGetNextWatermark"/> gets the record and
    /// its timestamp and returns a watermark to emit right after the record, or null.
    /// </summary>
    public static WatermarkStrategy<T> ForPunctuatedWatermarks<T>(Func<T, long, long?> checkAndGetNextWatermark)
    {
        ArgumentNullException.ThrowIfNull(checkAndGetNextWatermark);
        return new WatermarkStrategy<T>(_ => new PunctuatedWatermarks<T>(checkAndGetNextWatermark), null, null);
    }

    /// <summary>A custom generator, one instance per parallel subtask (periodic, punctuated, or both).</summary>
    public static WatermarkStrategy<T> ForGenerator<T>(Func<WatermarkGeneratorContext, IWatermarkGenerator<T>> generatorFactory)
    {
        ArgumentNullException.ThrowIfNull(generatorFactory);
        return new WatermarkStrategy<T>(generatorFactory, null, null);
    }

    /// <summary>
    /// Ingestion time: every record gets the processing time at which the source (or the assigner) saw it,
    /// never decreasing, and the watermark follows it (monotonous).
    /// </summary>
    public static WatermarkStrategy<T> ForIngestionTime<T>() =>
        new(_ => new BoundedOutOfOrdernessWatermarks<T>(TimeSpan.Zero), static context => new IngestionTimeAssigner<T>(context.TimeProvider).Assign, null);

    /// <summary>No watermarks at all (records keep or get timestamps only if an assigner is added); event time stands still until the end of a bounded input.</summary>
    public static WatermarkStrategy<T> NoWatermarks<T>() => new(_ => NoWatermarksGenerator<T>.Instance, null, null);
}
