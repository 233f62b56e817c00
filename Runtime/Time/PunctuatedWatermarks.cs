namespace DataflowCompiler.Time;

/// <summary>Emits the watermark a function derives from a record, right after the record.</summary>
internal sealed class PunctuatedWatermarks<T>(Func<T, long, long?> checkAndGetNextWatermark) : IWatermarkGenerator<T>
{
    public void OnEvent(T record, long eventTimestamp, IWatermarkOutput output)
    {
        if (checkAndGetNextWatermark(record, eventTimestamp) is { } watermark)
        {
            output.EmitWatermark(watermark);
        }
    }

    public void OnPeriodicEmit(IWatermarkOutput output) { }
}
