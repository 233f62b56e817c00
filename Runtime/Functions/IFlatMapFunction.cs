namespace DataflowCompiler.Functions;

/// <summary>One record in, any number of records out through the collector.</summary>
public interface IFlatMapFunction<in TIn, out TOut>
{
    void FlatMap(TIn value, ICollector<TOut> output);
}
