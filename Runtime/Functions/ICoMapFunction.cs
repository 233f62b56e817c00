namespace DataflowCompiler.Functions;

/// <summary>Maps each of two connected inputs to a common output type.</summary>
public interface ICoMapFunction<in TIn1, in TIn2, out TOut>
{
    TOut Map1(TIn1 value);
    TOut Map2(TIn2 value);
}
