namespace DataflowCompiler.State;

/// <summary>
/// Holds the keyed state of one keyed subtask (its <see cref="KeyGroupRange"/>), scoped to the current key
/// (Flink's KeyedStateBackend). Backends are pluggable; <see cref="BinaryKeyedStateBackend{TKey}"/> is the
/// default. Thread-confined: only the task thread uses it.
/// </summary>
public interface IKeyedStateBackend<TKey> : IKeyedStateStore, IDisposable
{
    /// <summary>The key groups this backend owns.</summary>
    KeyGroupRange KeyGroupRange { get; }

    /// <summary>The number of key groups of the job (the upper bound for rescaling).</summary>
    int MaxParallelism { get; }

    /// <summary>
    /// Makes <paramref name="key"/> the key every state access is scoped to. Throws if the key's key group is
    /// outside <see cref="KeyGroupRange"/> (the record reached the wrong subtask).
    /// </summary>
    void SetCurrentKey(TKey key);

    /// <summary>The current key; throws if none was set.</summary>
    TKey CurrentKey { get; }

    /// <summary>The key group of the current key; throws if none was set.</summary>
    int CurrentKeyGroup { get; }

    /// <summary>
    /// The value state for <paramref name="descriptor"/> with one-probe read-modify-write access: what rolling
    /// aggregates (Reduce, Sum, Min, Max) use on both the interpreted and the fused path.
    /// </summary>
    InPlaceValueState<T> GetInPlaceValueState<T>(ValueStateDescriptor<T> descriptor);

    /// <summary>Live entries over all states, keys and namespaces (tests use it to prove state gets cleaned).</summary>
    long EntryCount { get; }

    /// <summary>The distinct keys that have an entry in the named state, in any namespace (order unspecified).</summary>
    IEnumerable<TKey> GetKeys(string stateName);
}
