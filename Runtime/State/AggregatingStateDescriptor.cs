using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>
/// Describes a <see cref="IAggregatingState{TIn,TOut}"/>: its name, its aggregate function and, optionally,
/// the serializer of the accumulator (what is stored; inputs and results are never stored).
/// </summary>
public sealed class AggregatingStateDescriptor<TIn, TAcc, TOut> : StateDescriptor
{
    /// <param name="name">The state's name, unique within its operator.</param>
    /// <param name="aggregateFunction">Creates, updates and reads the accumulator.</param>
    /// <param name="accumulatorSerializer">The accumulator serializer; null lets the backend resolve one from its <see cref="SerializerRegistry"/>.</param>
    public AggregatingStateDescriptor(string name, IAggregateFunction<TIn, TAcc, TOut> aggregateFunction, IRecordSerializer<TAcc>? accumulatorSerializer = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(aggregateFunction);
        AggregateFunction = aggregateFunction;
        AccumulatorSerializer = accumulatorSerializer;
    }

    /// <summary>Creates, updates and reads the accumulator.</summary>
    public IAggregateFunction<TIn, TAcc, TOut> AggregateFunction { get; }

    /// <summary>The accumulator serializer given by the user, or null to resolve it from the backend's registry.</summary>
    public IRecordSerializer<TAcc>? AccumulatorSerializer { get; }

    /// <inheritdoc />
    public override string Kind => "aggregating";
}
