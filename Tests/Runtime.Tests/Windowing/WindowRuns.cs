using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>Which window function a run uses; all of them report <see cref="Firing"/>s.</summary>
internal enum FunctionKind
{
    Reduce,
    AggregateWithProcess,
    Process,
}

/// <summary>What a run of the window operator produced, and what it left behind.</summary>
internal sealed record RunResult(
    List<(Firing F, long Ts)> Firings, List<(string Tag, object? Value, long Timestamp)> Side, long StateEntries, int PendingTimers, long Dropped, Type OperatorType);

/// <summary>Runs arrivals through a window operator built from a builder, with the watermark max − bound − 1 after each element.</summary>
internal static class WindowRuns
{
    public static RunResult EventTime<W>(WindowOperatorBuilder<Ev, int, W> builder, FunctionKind kind, IReadOnlyList<Arrival> arrivals, long bound)
        where W : IWindow =>
        kind switch
        {
            FunctionKind.Reduce => Drive(builder.Reduce(new SumReduce()), (ev, ts) => new Firing(ev.Key, ts, ev.Value, ev.Count), arrivals, bound),
            FunctionKind.AggregateWithProcess => Drive(builder.Aggregate(new SumCountAggregate(), new AggregateFiring<W>()), (f, _) => f, arrivals, bound),
            _ => Drive(builder.Process(new ElementsFiring<W>()), (f, _) => f, arrivals, bound),
        };

    /// <summary>Processing time: before each element the clock moves by the arrival's timestamp field (a delta).</summary>
    public static RunResult ProcessingTime<W>(WindowOperatorBuilder<Ev, int, W> builder, FunctionKind kind, IReadOnlyList<Arrival> steps)
        where W : IWindow =>
        kind switch
        {
            FunctionKind.Reduce => DriveProcessing(builder.Reduce(new SumReduce()), (ev, ts) => new Firing(ev.Key, ts, ev.Value, ev.Count), steps),
            FunctionKind.AggregateWithProcess => DriveProcessing(builder.Aggregate(new SumCountAggregate(), new AggregateFiring<W>()), (f, _) => f, steps),
            _ => DriveProcessing(builder.Process(new ElementsFiring<W>()), (f, _) => f, steps),
        };

    private static RunResult Drive<TOut, W>(IWindowOperator<int, Ev, TOut, W> op, Func<TOut, long, Firing> map, IReadOnlyList<Arrival> arrivals, long bound)
        where W : IWindow
    {
        using var harness = new WindowHarness<Ev, TOut, W>(op);
        long max = long.MinValue;
        foreach (var a in arrivals)
        {
            harness.ProcessElement(a.Key, new Ev(a.Key, a.Value, 1), a.Timestamp);
            max = Math.Max(max, a.Timestamp);
            harness.AdvanceWatermark(max - bound - 1);
        }
        harness.AdvanceWatermark(long.MaxValue);
        return Result(op, map, harness);
    }

    private static RunResult DriveProcessing<TOut, W>(IWindowOperator<int, Ev, TOut, W> op, Func<TOut, long, Firing> map, IReadOnlyList<Arrival> steps)
        where W : IWindow
    {
        using var harness = new WindowHarness<Ev, TOut, W>(op);
        long now = 1000;
        harness.AdvanceProcessingTime(now);
        foreach (var step in steps)
        {
            now += step.Timestamp;
            harness.AdvanceProcessingTime(now);
            harness.ProcessElement(step.Key, new Ev(step.Key, step.Value, 1), long.MinValue);
        }
        harness.AdvanceProcessingTime(now + 1_000_000);
        harness.AdvanceWatermark(long.MaxValue);
        return Result(op, map, harness);
    }

    private static RunResult Result<TOut, W>(IWindowOperator<int, Ev, TOut, W> op, Func<TOut, long, Firing> map, WindowHarness<Ev, TOut, W> harness)
        where W : IWindow =>
        new(harness.Output.Select(o => (map(o.Value, o.Timestamp), o.Timestamp)).ToList(), harness.SideOutput, harness.StateEntries,
            harness.PendingTimers, op.NumLateRecordsDropped, op.GetType().GetGenericTypeDefinition());
}
