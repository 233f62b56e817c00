namespace DataflowCompiler.Functions;

/// <summary>Flat-maps each of two connected inputs to a common output type.</summary>
public interface ICoFlatMapFunction<in TIn1, in TIn2, out TOut>
{
    void FlatMap1(TIn1 value, ICollector<TOut> output);
    void FlatMap2(TIn2 value, ICollector<TOut> output);
}
