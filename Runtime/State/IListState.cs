namespace DataflowCompiler.State;

/// <summary>A list of values per key (and namespace). Adding is cheap; reading deserializes the list.</summary>
public interface IListState<T>
{
    /// <summary>The elements in insertion order; empty when there are none.</summary>
    IReadOnlyList<T> Get();

    void Add(T value);

    void AddAll(IEnumerable<T> values);

    /// <summary>Replaces the list.</summary>
    void Update(IEnumerable<T> values);

    void Clear();
}
