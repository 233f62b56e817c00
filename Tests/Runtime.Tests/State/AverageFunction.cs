using DataflowCompiler.Functions;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>Mean of the added values; 0 for none.</summary>
public sealed class AverageFunction : IAggregateFunction<long, Average, double>
{
    public Average CreateAccumulator() => new(0, 0);
    public Average Add(long value, Average accumulator) => new(accumulator.Sum + value, accumulator.Count + 1);
    public double GetResult(Average accumulator) => accumulator.Count == 0 ? 0 : (double)accumulator.Sum / accumulator.Count;
    public Average Merge(Average a, Average b) => new(a.Sum + b.Sum, a.Count + b.Count);
}
