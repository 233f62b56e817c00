using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>Describes a <see cref="IMapState{TUK,TUV}"/>: its name and, optionally, the user-key and user-value serializers.</summary>
public sealed class MapStateDescriptor<TUK, TUV> : StateDescriptor
{
    /// <param name="name">The state's name, unique within its operator.</param>
    /// <param name="keySerializer">The user-key serializer; null lets the backend resolve one. Equal user keys must serialize to equal bytes.</param>
    /// <param name="valueSerializer">The user-value serializer; null lets the backend resolve one.</param>
    public MapStateDescriptor(string name, IRecordSerializer<TUK>? keySerializer = null, IRecordSerializer<TUV>? valueSerializer = null)
        : base(name)
    {
        KeySerializer = keySerializer;
        ValueSerializer = valueSerializer;
    }

    /// <summary>The user-key serializer given by the user, or null to resolve it from the backend's registry.</summary>
    public IRecordSerializer<TUK>? KeySerializer { get; }

    /// <summary>The user-value serializer given by the user, or null to resolve it from the backend's registry.</summary>
    public IRecordSerializer<TUV>? ValueSerializer { get; }

    /// <inheritdoc />
    public override string Kind => "map";
}
