namespace DataflowCompiler.Windowing;

/// <summary>Flink's TriggerResult.isFire()/isPurge().</summary>
public static class TriggerResultExtensions
{
    /// <summary>True for <see cref="TriggerResult.Fire"/> and <see cref="TriggerResult.FireAndPurge"/>.</summary>
    public static bool IsFire(this TriggerResult result) => result is TriggerResult.Fire or TriggerResult.FireAndPurge;

    /// <summary>True for <see cref="TriggerResult.Purge"/> and <see cref="TriggerResult.FireAndPurge"/>.</summary>
    public static bool IsPurge(this TriggerResult result) => result is TriggerResult.Purge or TriggerResult.FireAndPurge;
}
