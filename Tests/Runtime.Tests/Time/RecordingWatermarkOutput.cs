using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>Records what a watermark generator emits, as "W:ts", "IDLE", "ACTIVE".</summary>
internal sealed class RecordingWatermarkOutput : IWatermarkOutput
{
    public List<string> Events { get; } = new();

    public List<long> Watermarks { get; } = new();

    public void EmitWatermark(long timestamp)
    {
        Watermarks.Add(timestamp);
        Events.Add($"W:{timestamp}");
    }

    public void MarkIdle() => Events.Add("IDLE");

    public void MarkActive() => Events.Add("ACTIVE");
}
