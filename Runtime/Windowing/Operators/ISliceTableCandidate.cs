using DataflowCompiler.Operators;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>A window operator whose windows a <see cref="SliceTableWindowOperator{TKey, TIn, TAcc, TOut}"/> can compute instead.</summary>
internal interface ISliceTableCandidate<TKey, TIn, TOut>
{
    /// <summary>The slice-table operator for the window node, or null when the settings need this operator (allowed lateness).</summary>
    StreamOperator? CreateSliceTableOperator(Func<TIn, TKey> keySelector, WindowStateProbe? probe);
}
