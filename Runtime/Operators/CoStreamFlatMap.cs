using DataflowCompiler.Functions;

namespace DataflowCompiler.Operators;

internal sealed class CoStreamFlatMap<TIn1, TIn2, TOut>(ICoFlatMapFunction<TIn1, TIn2, TOut> function) : TwoInputOperator<TIn1, TIn2, TOut>
{
    protected override object? UserFunction => function;

    public override void ProcessElement1(TIn1 record)
    {
        RecordsIn++;
        try
        {
            function.FlatMap1(record, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    public override void ProcessElement2(TIn2 record)
    {
        RecordsIn++;
        try
        {
            function.FlatMap2(record, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }
}
