namespace DataflowCompiler.Time;

/// <summary>The <see cref="ITimerService"/> of non-keyed functions: time can be read, timers cannot be set (as in Flink).</summary>
internal sealed class NonKeyedTimerService(Func<long> currentWatermark, ProcessingTimeService processingTime, string operatorName) : ITimerService
{
    public long CurrentProcessingTime => processingTime.CurrentProcessingTime;

    public long CurrentWatermark => currentWatermark();

    public void RegisterEventTimeTimer(long time) => throw NotKeyed();

    public void RegisterProcessingTimeTimer(long time) => throw NotKeyed();

    public void DeleteEventTimeTimer(long time) => throw NotKeyed();

    public void DeleteProcessingTimeTimer(long time) => throw NotKeyed();

    private InvalidOperationException NotKeyed() => new(
        $"Operator '{operatorName}' uses timers, but timers exist only on keyed streams. Call KeyBy(...) before Process.");
}
