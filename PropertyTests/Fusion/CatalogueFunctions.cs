using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.PropertyTests.Fusion;

/// <summary>Labels each record with its residue class; emits twice for multiples of <see cref="PipelineInput.A"/>.</summary>
public sealed class Residue : ProcessFunction<long, (long Key, long Value)>
{
    public override void ProcessElement(long value, Context context, ICollector<(long Key, long Value)> output)
    {
        long key = ((value % PipelineInput.M) + PipelineInput.M) % PipelineInput.M;
        output.Collect((key, value));
        if (value % PipelineInput.A == 0)
        {
            output.Collect((key, -value));
        }
    }
}

/// <summary>Per key: the running count and the last value, from keyed value state.</summary>
public sealed class CountPerKey : KeyedProcessFunction<long, (long Key, long Value), string>
{
    private IValueState<long> _count = null!;

    public override void Open(RuntimeContext context)
    {
        base.Open(context);
        _count = context.GetState(new ValueStateDescriptor<long>("count"));
    }

    public override void ProcessElement((long Key, long Value) value, Context context, ICollector<string> output)
    {
        long count = _count.Value() + 1;
        _count.Update(count);
        output.Collect($"{context.CurrentKey}:{count}:{value.Value}");
    }
}

/// <summary>Keeps values above <see cref="PipelineInput.B"/> (a sealed function object).</summary>
public sealed class Above : IFilterFunction<long>
{
    public bool Filter(long value) => value > PipelineInput.B;
}

/// <summary>Per window: the key, the count and the smallest record (a sealed aggregate function).</summary>
public sealed class CountAndMin : IAggregateFunction<long, (long Key, long Count, long Min), (long Key, long Count, long Min)>
{
    public (long Key, long Count, long Min) CreateAccumulator() => (0, 0, long.MaxValue);

    public (long Key, long Count, long Min) Add(long value, (long Key, long Count, long Min) accumulator) =>
        (Helpers.Mod(value), accumulator.Count + 1, Math.Min(accumulator.Min, value));

    public (long Key, long Count, long Min) GetResult((long Key, long Count, long Min) accumulator) => accumulator;

    public (long Key, long Count, long Min) Merge((long Key, long Count, long Min) a, (long Key, long Count, long Min) b) =>
        (a.Count == 0 ? b.Key : a.Key, a.Count + b.Count, Math.Min(a.Min, b.Min));
}
