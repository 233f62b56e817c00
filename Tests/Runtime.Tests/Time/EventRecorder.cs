using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>An operator input / output that records the watermarks and statuses it gets, in order.</summary>
internal sealed class EventRecorder : IWatermarkInput, IEventOutput
{
    public List<RuntimeEvent> Events { get; } = new();

    public IEnumerable<long> Watermarks => Events.OfType<Watermark>().Select(w => w.Timestamp);

    public void ProcessWatermark(Watermark watermark) => Events.Add(watermark);

    public void ProcessWatermarkStatus(WatermarkStatus status) => Events.Add(status);

    public void EmitWatermark(Watermark watermark) => Events.Add(watermark);

    public void EmitWatermarkStatus(WatermarkStatus status) => Events.Add(status);
}
