namespace DataflowCompiler.State;

/// <summary>A per-key accumulator fed by <see cref="Add"/>, read through the aggregate function's result.</summary>
public interface IAggregatingState<TIn, TOut>
{
    bool HasValue { get; }

    /// <summary>The aggregate's result; for an empty state, the result of a fresh accumulator.</summary>
    TOut Get();

    void Add(TIn value);

    void Clear();
}
