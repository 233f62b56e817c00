using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>
/// What the runtime (window operators, timers, snapshots) sees of a keyed state beyond the user-facing
/// interface, like Flink's InternalKvState. Every state object returned by a backend implements it.
/// </summary>
internal interface IInternalKeyedState
{
    /// <summary>The descriptor the state was created from.</summary>
    StateDescriptor Descriptor { get; }

    /// <summary>
    /// Scopes the following accesses of this state to <paramref name="ns"/> (a window, for example) in
    /// addition to the current key. The namespace is serialized once, here; equal namespaces must
    /// serialize to equal bytes.
    /// </summary>
    void SetCurrentNamespace<TNamespace>(TNamespace ns, IRecordSerializer<TNamespace> serializer);

    /// <summary>Returns to the default, empty namespace (plain keyed state).</summary>
    void ResetNamespace();

    /// <summary>Live entries of this state over all keys and namespaces.</summary>
    long EntryCount { get; }
}
