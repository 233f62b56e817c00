namespace DataflowCompiler.Windowing;

/// <summary>An element of a window with its timestamp, as evictors see it (Flink's TimestampedValue).</summary>
public readonly record struct TimestampedValue<T>(T Value, long Timestamp)
{
    /// <summary>False for records without a timestamp (<see cref="long.MinValue"/>, e.g. processing time without timestamps).</summary>
    public bool HasTimestamp => Timestamp != long.MinValue;
}
