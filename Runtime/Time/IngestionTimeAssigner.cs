namespace DataflowCompiler.Time;

/// <summary>Assigns the processing time as the timestamp, never decreasing (the clock may step back).</summary>
internal sealed class IngestionTimeAssigner<T>(TimeProvider timeProvider)
{
    private long _max = long.MinValue;

    public long Assign(T record, long recordTimestamp)
    {
        long now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        if (now > _max)
        {
            _max = now;
        }
        return _max;
    }
}
