using System.ComponentModel;

namespace DataflowCompiler.Fusion;

/// <summary>
/// How a fused window folds records into slice accumulators and combines slices into a window: generated code implements
/// it as a struct over the job's reduce or aggregate function, so the slice table calls the user's code without a virtual
/// call or a delegate. Not for user code.
/// </summary>
/// <typeparam name="TIn">The window's record type.</typeparam>
/// <typeparam name="TAcc">The accumulator (the record itself for a reduce).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFusedWindowAggregator<in TIn, TAcc>
{
    /// <summary>The accumulator of a slice whose first record is <paramref name="value"/>.</summary>
    TAcc First(TIn value);

    /// <summary>Folds <paramref name="value"/> into <paramref name="accumulator"/>.</summary>
    TAcc Add(TAcc accumulator, TIn value);

    /// <summary>Combines the accumulators of two consecutive slices, <paramref name="earlier"/> first.</summary>
    TAcc Merge(TAcc earlier, TAcc later);
}
