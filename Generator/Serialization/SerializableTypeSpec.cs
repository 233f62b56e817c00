namespace DataflowCompiler.Generator.Serialization;

/// <summary>Everything the emitter needs to write the serializer of one type; no symbols, syntax or locations.</summary>
internal sealed record SerializableTypeSpec
{
    public SerializableTypeSpec(string fullyQualifiedName, string displayName, string hintName, string serializerName, bool isReferenceType,
        EquatableArray<SerializableMemberSpec> members, EquatableArray<string> constructorParameters)
    {
        FullyQualifiedName = fullyQualifiedName;
        DisplayName = displayName;
        HintName = hintName;
        SerializerName = serializerName;
        IsReferenceType = isReferenceType;
        Members = members;
        ConstructorParameters = constructorParameters;
    }

    /// <summary><c>global::MyApp.Order</c>.</summary>
    public string FullyQualifiedName { get; }

    /// <summary><c>MyApp.Order</c>, for messages.</summary>
    public string DisplayName { get; }

    /// <summary>The generated file's name, unique per type: <c>MyApp.Outer+Inner.Serializer.g.cs</c>.</summary>
    public string HintName { get; }

    /// <summary>The generated (file-local) serializer class name, <c>OrderSerializer</c>.</summary>
    public string SerializerName { get; }

    public bool IsReferenceType { get; }

    /// <summary>Members in wire order.</summary>
    public EquatableArray<SerializableMemberSpec> Members { get; }

    /// <summary>Names of the members passed to the constructor, in parameter order (empty: parameterless).</summary>
    public EquatableArray<string> ConstructorParameters { get; }
}
