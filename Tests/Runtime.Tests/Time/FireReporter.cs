using DataflowCompiler.Functions;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>A timer per record at its timestamp; reports the watermark it fired at. Records with negative keys are echoed (acknowledgements).</summary>
internal sealed class FireReporter : KeyedProcessFunction<long, (long Key, long Ts), (long Key, long Timer, long FiredAt)>
{
    public override void ProcessElement((long Key, long Ts) value, Context context, ICollector<(long Key, long Timer, long FiredAt)> output)
    {
        if (value.Key < 0)
        {
            output.Collect((value.Key, value.Ts, context.TimerService.CurrentWatermark));
            return;
        }
        context.TimerService.RegisterEventTimeTimer(value.Ts);
    }

    public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(long Key, long Timer, long FiredAt)> output) =>
        output.Collect((context.CurrentKey, timestamp, context.TimerService.CurrentWatermark));
}
