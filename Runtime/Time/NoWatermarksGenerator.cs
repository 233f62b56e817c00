namespace DataflowCompiler.Time;

/// <summary>Emits nothing.</summary>
internal sealed class NoWatermarksGenerator<T> : IWatermarkGenerator<T>
{
    public static readonly NoWatermarksGenerator<T> Instance = new();

    public void OnEvent(T record, long eventTimestamp, IWatermarkOutput output) { }

    public void OnPeriodicEmit(IWatermarkOutput output) { }
}
