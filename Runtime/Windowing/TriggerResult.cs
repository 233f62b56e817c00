namespace DataflowCompiler.Windowing;

/// <summary>What a trigger decides for its window (Flink's TriggerResult).</summary>
public enum TriggerResult
{
    /// <summary>Do nothing.</summary>
    Continue,

    /// <summary>Evaluate the window function and emit the result; keep the window's contents.</summary>
    Fire,

    /// <summary>Drop the window's contents without emitting (window metadata and timers stay).</summary>
    Purge,

    /// <summary>Emit the result, then drop the window's contents.</summary>
    FireAndPurge,
}
