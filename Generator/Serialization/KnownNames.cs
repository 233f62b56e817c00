namespace DataflowCompiler.Generator.Serialization;

/// <summary>Metadata names the serializer generator keys on.</summary>
internal static class KnownNames
{
    public const string DataflowSerializableAttribute = "DataflowCompiler.Serialization.DataflowSerializableAttribute";

    public const string DataflowJobAttribute = "DataflowCompiler.DataflowJobAttribute";

    /// <summary>The namespace of <c>DataStream&lt;T&gt;</c>, <c>KeyedStream&lt;TKey, T&gt;</c> and the other stream types.</summary>
    public const string StreamNamespace = "DataflowCompiler";
}
