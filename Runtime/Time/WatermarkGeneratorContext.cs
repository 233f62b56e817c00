namespace DataflowCompiler.Time;

/// <summary>What a watermark strategy gets when it creates the generator and the timestamp assigner of one subtask.</summary>
public sealed class WatermarkGeneratorContext
{
    internal WatermarkGeneratorContext(TimeProvider timeProvider, string operatorName, int subtaskIndex)
    {
        TimeProvider = timeProvider;
        OperatorName = operatorName;
        SubtaskIndex = subtaskIndex;
    }

    /// <summary>The job's processing-time clock (<see cref="StreamConfiguration.TimeProvider"/>).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The name of the operator that assigns timestamps and watermarks.</summary>
    public string OperatorName { get; }

    /// <summary>Zero-based index of the subtask.</summary>
    public int SubtaskIndex { get; }

    /// <summary>The current processing time in milliseconds since the Unix epoch.</summary>
    public long CurrentProcessingTime => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
