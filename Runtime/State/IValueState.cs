namespace DataflowCompiler.State;

/// <summary>A single value per key (and namespace).</summary>
public interface IValueState<T>
{
    /// <summary>The current key's value, or the descriptor's default value when there is none.</summary>
    T Value();

    /// <summary>True if the current key has a value.</summary>
    bool HasValue { get; }

    void Update(T value);

    void Clear();
}
