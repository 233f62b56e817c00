namespace DataflowCompiler.Time;

/// <summary>
/// Generates watermarks from the timestamps of the records it sees (Flink's WatermarkGenerator). A
/// punctuated generator emits from <see cref="OnEvent"/>; a periodic one from <see cref="OnPeriodicEmit"/>,
/// which the task calls every <see cref="StreamConfiguration.AutoWatermarkInterval"/> of processing time.
/// Runs on the task thread only.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IWatermarkGenerator<in T>
{
    /// <summary>Called for every record, after its timestamp was assigned and the record was emitted.</summary>
    void OnEvent(T record, long eventTimestamp, IWatermarkOutput output);

    /// <summary>Called periodically (default every 200 ms) to emit a watermark, or to do nothing.</summary>
    void OnPeriodicEmit(IWatermarkOutput output);
}
