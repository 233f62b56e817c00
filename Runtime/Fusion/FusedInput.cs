using DataflowCompiler.Operators;
using DataflowCompiler.Time;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The input of a network-headed fused chain as the task wiring sees it. The channel readers recognise it
/// and hand whole buffers to <see cref="FusedChain{TIn}.ProcessRecords"/>; single records never come here.
/// </summary>
internal sealed class FusedInput<T>(FusedChain<T> chain) : IInput<T>, IFusedInput
{
    public FusedChain<T> Chain => chain;

    /// <summary>The fused operator that advances event time for the chain.</summary>
    public IWatermarkInput WatermarkTarget { get; set; } = null!;

    public void ProcessWatermark(Watermark watermark) => WatermarkTarget.ProcessWatermark(watermark);

    public void ProcessWatermarkStatus(WatermarkStatus status) => WatermarkTarget.ProcessWatermarkStatus(status);

    public void ProcessElement(T record) =>
        throw new InvalidOperationException("A fused chain takes whole buffers, not single records.");
}

/// <summary>The type-independent view of a fused input, so the fused operator can receive its time events.</summary>
internal interface IFusedInput
{
    IWatermarkInput WatermarkTarget { get; set; }
}
