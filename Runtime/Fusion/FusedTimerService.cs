using DataflowCompiler.Time;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The timer service of process functions inside a fused chain: time queries answer like the interpreted
/// path; timers are refused, because a chain whose function handles timers is never fused (see
/// <see cref="FusedChainRegistry"/>), so a registration here means the function registers timers it never handles.
/// </summary>
internal sealed class FusedTimerService(Func<long> processingTime, Func<long> watermark, string chainName) : ITimerService
{
    public static readonly FusedTimerService Unavailable = new(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), () => long.MinValue, "fused chain");

    public long CurrentProcessingTime => processingTime();

    public long CurrentWatermark => watermark();

    public void RegisterEventTimeTimer(long time) => throw Refuse();

    public void RegisterProcessingTimeTimer(long time) => throw Refuse();

    public void DeleteEventTimeTimer(long time) => throw Refuse();

    public void DeleteProcessingTimeTimer(long time) => throw Refuse();

    private InvalidOperationException Refuse() => new(
        $"A function in '{chainName}' uses timers but does not override OnTimer, so its chain was fused and has no timer service. " +
        "Override OnTimer (the chain then runs interpreted with timers) or stop registering timers.");
}
