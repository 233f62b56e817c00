namespace DataflowCompiler.Generator.Serialization;

/// <summary>One serialized field or property of a <see cref="SerializableTypeSpec"/>.</summary>
internal sealed record SerializableMemberSpec
{
    public SerializableMemberSpec(string name, string typeName, string serializerTypeName, MemberEncoding encoding, string? primitiveMethod,
        bool isConstructorParameter, bool readNeedsSuppression)
    {
        Name = name;
        TypeName = typeName;
        SerializerTypeName = serializerTypeName;
        Encoding = encoding;
        PrimitiveMethod = primitiveMethod;
        IsConstructorParameter = isConstructorParameter;
        ReadNeedsSuppression = readNeedsSuppression;
    }

    /// <summary>The member name as written in C# (escaped with <c>@</c> when it is a keyword).</summary>
    public string Name { get; }

    /// <summary>The member's fully qualified type, with nullable annotations.</summary>
    public string TypeName { get; }

    /// <summary>The type argument of the cached <c>IRecordSerializer&lt;T&gt;</c> (the member type without a top-level <c>?</c> for a flagged member).</summary>
    public string SerializerTypeName { get; }

    public MemberEncoding Encoding { get; }

    /// <summary>For <see cref="MemberEncoding.Primitive"/>: the suffix of the Write/Read methods (<c>Int64</c>).</summary>
    public string? PrimitiveMethod { get; }

    /// <summary>Passed to the constructor (in <see cref="SerializableTypeSpec.ConstructorParameters"/> order) rather than set by an initializer.</summary>
    public bool IsConstructorParameter { get; }

    /// <summary>A non-nullable string member: <c>ReadString()</c> returns <c>string?</c>, so the read gets <c>!</c>.</summary>
    public bool ReadNeedsSuppression { get; }
}
