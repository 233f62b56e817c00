namespace DataflowCompiler.Windowing;

/// <summary>What an evictor may ask while it evicts (Flink's Evictor.EvictorContext).</summary>
public abstract class EvictorContext
{
    /// <summary>The current processing time.</summary>
    public abstract long CurrentProcessingTime { get; }

    /// <summary>The current event-time watermark.</summary>
    public abstract long CurrentWatermark { get; }
}
