using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>The type-independent part of an operator input: the in-band time events (Flink's Input.processWatermark…).</summary>
internal interface IWatermarkInput
{
    void ProcessWatermark(Watermark watermark);

    void ProcessWatermarkStatus(WatermarkStatus status);
}
