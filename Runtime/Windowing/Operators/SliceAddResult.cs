namespace DataflowCompiler.Windowing.Operators;

/// <summary>What <see cref="WindowSliceTable{TKey, TIn, TAcc, TAgg}.Add"/> did with an element.</summary>
internal enum SliceAddResult
{
    /// <summary>Folded into its slice.</summary>
    Added,

    /// <summary>Every window of the element has fired (or it falls into a gap between windows behind the watermark): late data.</summary>
    Late,

    /// <summary>The element falls into a gap between windows (slide &gt; size) and is not late: no window takes it, nothing to count.</summary>
    NoWindow,
}
