namespace DataflowCompiler.Time;

/// <summary>Which clock a timer belongs to.</summary>
public enum TimeDomain
{
    /// <summary>The timer fires when the watermark reaches its timestamp.</summary>
    EventTime,

    /// <summary>The timer fires when the task's processing-time clock reaches its timestamp.</summary>
    ProcessingTime,
}
