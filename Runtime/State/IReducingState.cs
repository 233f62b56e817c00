namespace DataflowCompiler.State;

/// <summary>A value per key that folds every added value in with the descriptor's reduce function.</summary>
public interface IReducingState<T>
{
    /// <summary>True if anything was added since the last clear.</summary>
    bool HasValue { get; }

    /// <summary>The reduced value; throws if nothing was added (check <see cref="HasValue"/>).</summary>
    T Get();

    void Add(T value);

    void Clear();
}
