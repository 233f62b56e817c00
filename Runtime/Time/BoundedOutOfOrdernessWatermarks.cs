namespace DataflowCompiler.Time;

/// <summary>
/// The periodic generator for records at most a fixed bound out of order: the watermark is the largest
/// timestamp seen minus the bound minus one (a zero bound gives monotonous timestamps).
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class BoundedOutOfOrdernessWatermarks<T> : IWatermarkGenerator<T>
{
    private readonly long _bound;
    private long _maxTimestamp;

    /// <summary>A generator for records at most <paramref name="maxOutOfOrderness"/> (whole milliseconds) late.</summary>
    public BoundedOutOfOrdernessWatermarks(TimeSpan maxOutOfOrderness)
    {
        if (maxOutOfOrderness < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxOutOfOrderness), maxOutOfOrderness, "The out-of-orderness bound cannot be negative.");
        }
        _bound = (long)maxOutOfOrderness.TotalMilliseconds;
        // Start so that the first periodic watermark is long.MinValue, without underflow.
        _maxTimestamp = long.MinValue + _bound + 1;
    }

    /// <inheritdoc/>
    public void OnEvent(T record, long eventTimestamp, IWatermarkOutput output) => _maxTimestamp = Math.Max(_maxTimestamp, eventTimestamp);

    /// <inheritdoc/>
    public void OnPeriodicEmit(IWatermarkOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.EmitWatermark(_maxTimestamp - _bound - 1);
    }
}
