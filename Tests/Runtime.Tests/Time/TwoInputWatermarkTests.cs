using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>How a two-input operator combines the watermarks and statuses of its inputs.</summary>
public sealed class TwoInputWatermarkTests
{
    [Fact]
    public void Event_time_is_the_minimum_of_the_active_inputs_never_goes_backwards_and_idle_needs_both()
    {
        var output = new RecordingOutput();
        var op = new CoStreamMap<long, long, long>(x => x, x => x, null) { Name = "co-map" };
        op.Setup(new OperatorContext("co-map", "task", 0, 1, 128, new SerializerRegistry(),
            new MemorySegmentPool(1 << 16, 4096, "managed"), _ => new Counter(), CancellationToken.None));
        op.SetOutput(new OperatorOutput<long>(output, new Dictionary<string, object>()));
        var first = (IWatermarkInput)op.GetInput(1);
        var second = (IWatermarkInput)op.GetInput(2);

        first.ProcessWatermark(new Watermark(100));
        second.ProcessWatermark(new Watermark(50));   // 50
        second.ProcessWatermark(new Watermark(150));  // 100
        first.ProcessWatermark(new Watermark(90));    // backwards on input 1: ignored
        second.ProcessWatermarkStatus(WatermarkStatus.Idle);
        first.ProcessWatermark(new Watermark(120));   // input 2 idle: 120
        first.ProcessWatermarkStatus(WatermarkStatus.Idle); // both idle: idle
        second.ProcessWatermarkStatus(WatermarkStatus.Active); // active again, at 150
        first.ProcessWatermarkStatus(WatermarkStatus.Active);
        first.ProcessWatermark(new Watermark(200));   // min(200, 150) = 150
        Assert.Equal(
            ["Watermark(50)", "Watermark(100)", "Watermark(120)", "WatermarkStatus(IDLE)", "WatermarkStatus(ACTIVE)", "Watermark(150)"],
            output.Events.Select(e => e.ToString()));
        Assert.Equal(150, op.CurrentWatermark);
    }

    private sealed class RecordingOutput : IOutput<long>
    {
        public List<RuntimeEvent> Events { get; } = new();

        public void Collect(long record) { }

        public void EmitWatermark(Watermark watermark) => Events.Add(watermark);

        public void EmitWatermarkStatus(WatermarkStatus status) => Events.Add(status);
    }
}
