namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// How a <see cref="WindowSliceTable{TKey, TIn, TAcc, TAgg}"/> folds elements into slice accumulators and combines
/// slices into a window. Implemented by structs, so the table's generic code calls it without a virtual call
/// (generated code can pass its own struct; the interpreted operator wraps the user's reduce or aggregate function).
/// </summary>
internal interface ISliceAggregator<in TIn, TAcc>
{
    /// <summary>The accumulator of a slice that receives its first element <paramref name="value"/>.</summary>
    TAcc First(TIn value);

    /// <summary>Folds <paramref name="value"/> into <paramref name="accumulator"/>.</summary>
    TAcc Add(TAcc accumulator, TIn value);

    /// <summary>Combines the accumulators of two consecutive slices (<paramref name="earlier"/> first).</summary>
    TAcc Merge(TAcc earlier, TAcc later);
}
