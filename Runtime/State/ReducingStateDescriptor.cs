using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>Describes a <see cref="IReducingState{T}"/>: its name, its reduce function and, optionally, its serializer.</summary>
public sealed class ReducingStateDescriptor<T> : StateDescriptor
{
    /// <param name="name">The state's name, unique within its operator.</param>
    /// <param name="reduce">Folds an added value into the current one: <c>reduce(current, added)</c>.</param>
    /// <param name="serializer">The value serializer; null lets the backend resolve one from its <see cref="SerializerRegistry"/>.</param>
    public ReducingStateDescriptor(string name, Func<T, T, T> reduce, IRecordSerializer<T>? serializer = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        Reduce = reduce;
        Serializer = serializer;
    }

    /// <summary>Folds an added value into the current one.</summary>
    public Func<T, T, T> Reduce { get; }

    /// <summary>The serializer given by the user, or null to resolve it from the backend's registry.</summary>
    public IRecordSerializer<T>? Serializer { get; }

    /// <inheritdoc />
    public override string Kind => "reducing";
}
