namespace DataflowCompiler.Functions;

/// <summary>Gets, per key and window, the elements of both inputs (either group may be empty) (Flink's CoGroupFunction).</summary>
public interface ICoGroupFunction<T1, T2, TOut>
{
    /// <summary>Emits any number of results for the two groups of one key and window.</summary>
    void CoGroup(IEnumerable<T1> first, IEnumerable<T2> second, ICollector<TOut> output);
}
