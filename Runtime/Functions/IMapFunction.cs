namespace DataflowCompiler.Functions;

/// <summary>One record in, one record out.</summary>
public interface IMapFunction<in TIn, out TOut>
{
    TOut Map(TIn value);
}
