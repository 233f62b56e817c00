using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>A test element: key, value and a count of 1, so that sums of both can be compared across window kinds.</summary>
internal readonly record struct Ev(int Key, long Value, long Count);

/// <summary>What every window function in the property tests reports: key, window end (max timestamp), sum and count.</summary>
internal readonly record struct Firing(int Key, long MaxTimestamp, long Sum, long Count);

internal static class WindowTestFunctions
{
    public static Ev Sum(Ev a, Ev b) => new(a.Key, a.Value + b.Value, a.Count + b.Count);
}

internal sealed class SumReduce : IReduceFunction<Ev>
{
    public Ev Reduce(Ev accumulated, Ev value) => WindowTestFunctions.Sum(accumulated, value);
}

internal sealed class SumCountAggregate : IAggregateFunction<Ev, (long Sum, long Count), (long Sum, long Count)>
{
    public (long Sum, long Count) CreateAccumulator() => (0, 0);

    public (long Sum, long Count) Add(Ev value, (long Sum, long Count) accumulator) => (accumulator.Sum + value.Value, accumulator.Count + 1);

    public (long Sum, long Count) GetResult((long Sum, long Count) accumulator) => accumulator;

    public (long Sum, long Count) Merge((long Sum, long Count) a, (long Sum, long Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
}

/// <summary>Reports the single aggregate of a window (incremental + process).</summary>
internal sealed class AggregateFiring<W> : ProcessWindowFunction<(long Sum, long Count), Firing, int, W>
    where W : IWindow
{
    public override void Process(int key, Context context, IEnumerable<(long Sum, long Count)> elements, ICollector<Firing> output)
    {
        var single = Assert.Single(elements);
        output.Collect(new Firing(key, context.Window.MaxTimestamp, single.Sum, single.Count));
    }
}

/// <summary>Sums the elements of a window (process windows).</summary>
internal sealed class ElementsFiring<W> : ProcessWindowFunction<Ev, Firing, int, W>
    where W : IWindow
{
    public override void Process(int key, Context context, IEnumerable<Ev> elements, ICollector<Firing> output)
    {
        long sum = 0;
        long count = 0;
        foreach (var element in elements)
        {
            Assert.Equal(key, element.Key);
            sum += element.Value;
            count++;
        }
        output.Collect(new Firing(key, context.Window.MaxTimestamp, sum, count));
    }
}
