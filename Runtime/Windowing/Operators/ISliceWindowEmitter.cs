namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// Receives the windows a <see cref="WindowSliceTable{TKey, TIn, TAcc, TAgg}"/> fires: one call per key and window
/// that holds data, with the combined accumulator of the window's slices. Implemented by structs (passed by
/// reference) so firing makes no virtual call.
/// </summary>
internal interface ISliceWindowEmitter<TKey, TAcc>
{
    void Emit(TKey key, TimeWindow window, TAcc accumulator);
}
