namespace DataflowCompiler.Generator.Serialization;

/// <summary>How the generated serializer writes one member.</summary>
internal enum MemberEncoding
{
    /// <summary>Inline <c>output.Write{Method}</c> / <c>input.Read{Method}</c> (bool and the numeric primitives).</summary>
    Primitive,

    /// <summary>Inline <c>WriteString</c> / <c>ReadString</c> (null-safe by itself).</summary>
    String,

    /// <summary>Inline <c>WriteUnmanaged</c> / <c>ReadUnmanaged&lt;T&gt;</c> (enums, decimal, DateTime, Guid, other unmanaged structs).</summary>
    Unmanaged,

    /// <summary>A cached <c>IRecordSerializer&lt;T&gt;</c> from the registry (built-in composites, generated types).</summary>
    Serializer,

    /// <summary>A cached serializer behind a flag byte (0 = null, 1 = value): a nullable reference to a generated type.</summary>
    NullableSerializer,
}
