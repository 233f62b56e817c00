using DataflowCompiler.Functions;
using DataflowCompiler.State;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.PropertyTests.Checkpointing;

// The exactly-once catalogue. Every operator before a KeyBy runs at parallelism 1 (one ordered producer), so each key's
// records reach its keyed operator in input order and the rolling results are deterministic; the keyed operators and
// the sink chained to them run at the property's parallelism. FaultyMap is where record, snapshot and restore faults
// are injected; the sink (ExactlyOnceInput.Sink) is a two-phase-commit sink.

/// <summary>(a) map → filter → keyBy → reduce (running sum) → map; fusable.</summary>
[DataflowJob]
public static partial class MapFilterReduce
{
    public static void Define(StreamEnvironment env) =>
        env.FromCollection(ExactlyOnceInput.Records)
           .Map(new FaultyMap())
           .SetParallelism(1)
           .Filter(static e => e.Value % ExactlyOnceInput.M != 0)
           .SetParallelism(1)
           .KeyBy(static e => e.Key)
           .Reduce(static (a, b) => new Event(a.Key, b.Seq, a.Value + b.Value, b.Time))
           .Map(static e => new Result(e.Key, 0, e.Seq, e.Value, e.Time))
           .SinkTo(ExactlyOnceInput.Sink);
}

/// <summary>(d) keyBy → sum → map; fusable. Sum keeps the key's first record with the running sum in its field.</summary>
[DataflowJob]
public static partial class KeyBySumMap
{
    public static void Define(StreamEnvironment env) =>
        env.FromCollection(ExactlyOnceInput.Records)
           .Map(new FaultyMap())
           .SetParallelism(1)
           .KeyBy(static e => e.Key)
           .Sum(e => e.Value)
           .Map(static e => new Result(e.Key, 0, e.Seq, e.Value * 3, e.Time))
           .SinkTo(ExactlyOnceInput.Sink);
}

/// <summary>
/// (b) keyBy → keyed process function with value state and event-time timers. Fused: the source, the map and the
/// timestamp assigner (one chain, records and watermarks over a timestamped edge); the keyed process function runs
/// interpreted (it handles timers).
/// </summary>
[DataflowJob]
public static partial class KeyedTimers
{
    public static void Define(StreamEnvironment env) =>
        env.FromCollection(ExactlyOnceInput.Records)
           .Map(new FaultyMap())
           .SetParallelism(1)
           .AssignTimestampsAndWatermarks(WatermarkStrategy.ForMonotonousTimestamps<Event>(static e => e.Time))
           .SetParallelism(1)
           .KeyBy(static e => e.Key)
           .Process(new CountAndTimers())
           .SinkTo(ExactlyOnceInput.Sink);
}

/// <summary>(c) union of two sources → keyBy → tumbling event-time window → count and sum (runs interpreted: union).</summary>
public static class UnionWindow
{
    public static void Define(StreamEnvironment env)
    {
        var strategy = WatermarkStrategy.ForBoundedOutOfOrderness<Event>(TimeSpan.FromMilliseconds(3), static e => e.Time);
        var first = env.FromCollection(ExactlyOnceInput.Records).Map(new FaultyMap()).SetParallelism(1).AssignTimestampsAndWatermarks(strategy).SetParallelism(1);
        var second = env.FromCollection(ExactlyOnceInput.Second).Map(new FaultyMap()).SetParallelism(1).AssignTimestampsAndWatermarks(strategy).SetParallelism(1);
        first.Union(second)
             .KeyBy(static e => e.Key)
             .Window(TumblingEventTimeWindows.Of(ExactlyOnceInput.Window))
             .Aggregate(new CountAndSum(), new WindowResult())
             .SinkTo(ExactlyOnceInput.Sink);
    }
}

/// <summary>
/// Per key: a running count in value state, emitted for every record (kind 0: seq, count, time); an event-time timer at
/// the end of each record's bucket, and for every timer that fires the number of timers fired so far for the key
/// (kind 1: timer time, fired count).
/// </summary>
public sealed class CountAndTimers : KeyedProcessFunction<int, Event, Result>
{
    private IValueState<long> _count = null!;
    private IValueState<long> _fired = null!;

    public override void Open(RuntimeContext context)
    {
        base.Open(context);
        _count = context.GetState(new ValueStateDescriptor<long>("count"));
        _fired = context.GetState(new ValueStateDescriptor<long>("fired"));
    }

    public override void ProcessElement(Event value, Context context, ICollector<Result> output)
    {
        long count = _count.Value() + 1;
        _count.Update(count);
        output.Collect(new Result(value.Key, 0, value.Seq, count, value.Time));
        context.TimerService.RegisterEventTimeTimer((value.Time / ExactlyOnceInput.Bucket + 1) * ExactlyOnceInput.Bucket);
    }

    public override void OnTimer(long timestamp, OnTimerContext context, ICollector<Result> output)
    {
        long fired = _fired.Value() + 1;
        _fired.Update(fired);
        output.Collect(new Result(context.CurrentKey, 1, timestamp, fired, 0));
    }
}

/// <summary>Counts and sums the values of a window.</summary>
public sealed class CountAndSum : IAggregateFunction<Event, (long Count, long Sum), (long Count, long Sum)>
{
    public (long Count, long Sum) CreateAccumulator() => (0, 0);

    public (long Count, long Sum) Add(Event value, (long Count, long Sum) accumulator) => (accumulator.Count + 1, accumulator.Sum + value.Value);

    public (long Count, long Sum) GetResult((long Count, long Sum) accumulator) => accumulator;

    public (long Count, long Sum) Merge((long Count, long Sum) a, (long Count, long Sum) b) => (a.Count + b.Count, a.Sum + b.Sum);
}

/// <summary>A window's result: kind 0, window start, count, sum.</summary>
public sealed class WindowResult : ProcessWindowFunction<(long Count, long Sum), Result, int, TimeWindow>
{
    public override void Process(int key, Context context, IEnumerable<(long Count, long Sum)> elements, ICollector<Result> output)
    {
        foreach (var (count, sum) in elements)
        {
            output.Collect(new Result(key, 0, context.Window.Start, count, sum));
        }
    }
}
