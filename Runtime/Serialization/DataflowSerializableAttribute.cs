namespace DataflowCompiler.Serialization;

/// <summary>
/// Asks the compile-time generator for an <c>IRecordSerializer&lt;T&gt;</c> for a record, class or struct,
/// registered automatically when the assembly loads (no reflection at run time).
/// </summary>
/// <remarks>
/// <para>On a type: <c>[DataflowSerializable] public sealed record Click(long UserId, string Url);</c></para>
/// <para>
/// On the assembly, for a type declared in another assembly:
/// <c>[assembly: DataflowSerializable(typeof(Vendor.Quote))]</c>. Only the public members of such a type
/// are reachable. Which members and types are supported is described in <c>docs/serializers.md</c>;
/// the analyzers report a type that cannot be serialized.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class DataflowSerializableAttribute : Attribute
{
    /// <summary>Marks the type the attribute is placed on.</summary>
    public DataflowSerializableAttribute()
    {
    }

    /// <summary>Names a type (typically from another assembly) from an assembly-level attribute.</summary>
    public DataflowSerializableAttribute(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
    }

    /// <summary>The type named by an assembly-level attribute; null when the attribute is placed on a type.</summary>
    public Type? Type { get; }
}
