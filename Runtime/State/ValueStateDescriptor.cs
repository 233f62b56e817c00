using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>Describes a <see cref="IValueState{T}"/>: its name, its default value and, optionally, its serializer.</summary>
public sealed class ValueStateDescriptor<T> : StateDescriptor
{
    /// <param name="name">The state's name, unique within its operator.</param>
    /// <param name="defaultValue">What <see cref="IValueState{T}.Value"/> returns for a key without a value.</param>
    /// <param name="serializer">The value serializer; null lets the backend resolve one from its <see cref="SerializerRegistry"/>.</param>
    public ValueStateDescriptor(string name, T defaultValue = default!, IRecordSerializer<T>? serializer = null)
        : base(name)
    {
        DefaultValue = defaultValue;
        Serializer = serializer;
    }

    /// <summary>Returned by <see cref="IValueState{T}.Value"/> when the current key has no value.</summary>
    public T DefaultValue { get; }

    /// <summary>The serializer given by the user, or null to resolve it from the backend's registry.</summary>
    public IRecordSerializer<T>? Serializer { get; }

    /// <inheritdoc />
    public override string Kind => "value";
}
