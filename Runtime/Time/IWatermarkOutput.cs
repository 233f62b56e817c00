namespace DataflowCompiler.Time;

/// <summary>Where a <see cref="IWatermarkGenerator{T}"/> emits watermarks and idleness (Flink's WatermarkOutput).</summary>
public interface IWatermarkOutput
{
    /// <summary>
    /// Emits a watermark at <paramref name="timestamp"/> (milliseconds). A watermark at or below the last one
    /// emitted is ignored, so watermarks never go backwards. Emitting a watermark marks the output active.
    /// </summary>
    void EmitWatermark(long timestamp);

    /// <summary>Marks the output idle: downstream tasks stop waiting for its watermarks until it is active again.</summary>
    void MarkIdle();

    /// <summary>Marks the output active again (a record or a watermark does this too).</summary>
    void MarkActive();
}
