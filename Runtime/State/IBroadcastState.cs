namespace DataflowCompiler.State;

/// <summary>
/// A map kept in full by every subtask of an operator (Flink's <c>BroadcastState</c>). It is snapshotted per subtask
/// and restored as a copy, so every subtask must apply the same updates to keep the copies equal.
/// </summary>
public interface IBroadcastState<TK, TV>
    where TK : notnull
{
    /// <summary>The value of <paramref name="key"/>; false when the map has no such key.</summary>
    bool TryGetValue(TK key, out TV value);

    /// <summary>The value of <paramref name="key"/>; <c>default</c> when the map has no such key.</summary>
    TV? Get(TK key);

    /// <summary>Sets the value of <paramref name="key"/>, adding or replacing it.</summary>
    void Put(TK key, TV value);

    /// <summary>Adds or replaces every entry of <paramref name="entries"/>.</summary>
    void PutAll(IEnumerable<KeyValuePair<TK, TV>> entries);

    /// <summary>Removes <paramref name="key"/>; false when it was not there.</summary>
    bool Remove(TK key);

    /// <summary>True when the map has <paramref name="key"/>.</summary>
    bool Contains(TK key);

    /// <summary>A copy of the entries (order unspecified), safe to iterate while the map changes.</summary>
    IReadOnlyCollection<KeyValuePair<TK, TV>> Entries();

    /// <summary>Removes every entry.</summary>
    void Clear();
}
