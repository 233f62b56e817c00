using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>Describes a <see cref="IListState{T}"/>: its name and, optionally, the element serializer.</summary>
public sealed class ListStateDescriptor<T> : StateDescriptor
{
    /// <param name="name">The state's name, unique within its operator.</param>
    /// <param name="serializer">The element serializer; null lets the backend resolve one from its <see cref="SerializerRegistry"/>.
    /// Elements are stored back to back, so the serializer must read exactly the bytes it wrote.</param>
    public ListStateDescriptor(string name, IRecordSerializer<T>? serializer = null)
        : base(name)
    {
        Serializer = serializer;
    }

    /// <summary>The element serializer given by the user, or null to resolve it from the backend's registry.</summary>
    public IRecordSerializer<T>? Serializer { get; }

    /// <inheritdoc />
    public override string Kind => "list";
}
