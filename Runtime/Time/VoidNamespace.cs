using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Time;

/// <summary>The namespace of timers and state that belong to a key only (process functions), as Flink's VoidNamespace.</summary>
internal readonly record struct VoidNamespace
{
    public static readonly VoidNamespace Instance;

    /// <summary>Writes nothing: there is only one value.</summary>
    public static readonly IRecordSerializer<VoidNamespace> Serializer = new VoidNamespaceSerializer();

    private sealed class VoidNamespaceSerializer : IRecordSerializer<VoidNamespace>
    {
        public void Serialize(VoidNamespace value, DataOutputSerializer output) { }

        public VoidNamespace Deserialize(ref DataInputView input) => default;
    }
}
