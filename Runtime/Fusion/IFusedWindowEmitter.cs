using System.ComponentModel;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Fusion;

/// <summary>
/// Receives the windows a <see cref="FusedSliceWindow{TKey, TIn, TAcc, TAgg}"/> fires: one call per key and window that holds
/// data, with the combined accumulator of the window's slices. Generated code implements it as a struct (passed by reference)
/// that calls back into its chain. Not for user code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFusedWindowEmitter<TKey, TAcc>
{
    /// <summary>Window <paramref name="window"/> of <paramref name="key"/> fired with <paramref name="accumulator"/>.</summary>
    void Emit(TKey key, TimeWindow window, TAcc accumulator);
}
