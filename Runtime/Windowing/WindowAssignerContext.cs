namespace DataflowCompiler.Windowing;

/// <summary>What an assigner may ask the operator while assigning (Flink's WindowAssignerContext).</summary>
public abstract class WindowAssignerContext
{
    /// <summary>The current processing time of the task (from its injectable clock).</summary>
    public abstract long CurrentProcessingTime { get; }
}
