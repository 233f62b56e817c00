namespace DataflowCompiler.Functions;

/// <summary>
/// Incremental aggregation with an accumulator: used by aggregating state and, later, windows.
/// <see cref="Merge"/> combines two accumulators (session windows, slices).
/// </summary>
public interface IAggregateFunction<TIn, TAcc, TOut>
{
    TAcc CreateAccumulator();
    TAcc Add(TIn value, TAcc accumulator);
    TOut GetResult(TAcc accumulator);
    TAcc Merge(TAcc a, TAcc b);
}
