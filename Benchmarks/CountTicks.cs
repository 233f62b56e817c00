using DataflowCompiler.Functions;

namespace DataflowCompiler.Benchmarks;

/// <summary>Counts a window's events (sealed, so a fused window calls it directly).</summary>
public sealed class CountTicks : IAggregateFunction<Tick, long, long>
{
    public long CreateAccumulator() => 0;

    public long Add(Tick value, long accumulator) => accumulator + 1;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}
