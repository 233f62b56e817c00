namespace DataflowCompiler.State;

/// <summary>A map of user keys to values per key (and namespace).</summary>
public interface IMapState<TUK, TUV>
{
    bool TryGet(TUK key, out TUV value);

    void Put(TUK key, TUV value);

    void PutAll(IEnumerable<KeyValuePair<TUK, TUV>> entries);

    bool Contains(TUK key);

    void Remove(TUK key);

    /// <summary>The entries of the current key's map (order unspecified).</summary>
    IEnumerable<KeyValuePair<TUK, TUV>> Entries();

    IEnumerable<TUK> Keys();

    IEnumerable<TUV> Values();

    bool IsEmpty { get; }

    void Clear();
}
