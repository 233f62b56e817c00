namespace DataflowCompiler.Time;

/// <summary>The <see cref="ITimerService"/> of keyed process functions: timers in the void namespace of the current key.</summary>
internal sealed class KeyedTimerService<TKey>(InternalTimerService<TKey, VoidNamespace> timers) : ITimerService
{
    public long CurrentProcessingTime => timers.CurrentProcessingTime;

    public long CurrentWatermark => timers.CurrentWatermark;

    public void RegisterEventTimeTimer(long time) => timers.RegisterEventTimeTimer(VoidNamespace.Instance, time);

    public void RegisterProcessingTimeTimer(long time) => timers.RegisterProcessingTimeTimer(VoidNamespace.Instance, time);

    public void DeleteEventTimeTimer(long time) => timers.DeleteEventTimeTimer(VoidNamespace.Instance, time);

    public void DeleteProcessingTimeTimer(long time) => timers.DeleteProcessingTimeTimer(VoidNamespace.Instance, time);
}
