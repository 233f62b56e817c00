using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>
/// The type-independent part of an operator output: the in-band time events, which go to every consumer
/// (chained operators, network edges, side outputs) in order with the records.
/// </summary>
internal interface IEventOutput
{
    void EmitWatermark(Watermark watermark);

    void EmitWatermarkStatus(WatermarkStatus status);
}
