using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// Keyed state of every kind and event-time timers, with an output that depends only on each key's records in order:
/// per record "key:count:sum of the value's residue class:last three values"; per timer "timer key@time". A timer is
/// registered 200 after each record, so a snapshot taken mid-stream holds pending timers.
/// </summary>
public sealed class StatefulCounter : KeyedProcessFunction<long, long, string>
{
    private IValueState<long> _count = null!;
    private IMapState<long, long> _sums = null!;
    private IListState<long> _recent = null!;

    public override void Open(RuntimeContext context)
    {
        _count = context.GetState(new ValueStateDescriptor<long>("count"));
        _sums = context.GetMapState(new MapStateDescriptor<long, long>("sums"));
        _recent = context.GetListState(new ListStateDescriptor<long>("recent"));
    }

    public override void ProcessElement(long value, Context context, ICollector<string> output)
    {
        long count = _count.Value() + 1;
        _count.Update(count);
        long residue = value % 3;
        long sum = (_sums.TryGet(residue, out long s) ? s : 0) + value;
        _sums.Put(residue, sum);
        var recent = _recent.Get().Append(value).TakeLast(3).ToList();
        _recent.Update(recent);
        context.TimerService.RegisterEventTimeTimer(value + 200);
        output.Collect($"{context.CurrentKey}:{count}:{sum}:{string.Join('|', recent)}");
    }

    public override void OnTimer(long timestamp, OnTimerContext context, ICollector<string> output) =>
        output.Collect($"timer {context.CurrentKey}@{timestamp}");
}
