namespace DataflowCompiler.Operators;

internal sealed class CoStreamMap<TIn1, TIn2, TOut>(Func<TIn1, TOut> map1, Func<TIn2, TOut> map2, object? function)
    : TwoInputOperator<TIn1, TIn2, TOut>
{
    protected override object? UserFunction => function;

    public override void ProcessElement1(TIn1 record)
    {
        RecordsIn++;
        TOut result;
        try
        {
            result = map1(record);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        Output.Collect(result);
    }

    public override void ProcessElement2(TIn2 record)
    {
        RecordsIn++;
        TOut result;
        try
        {
            result = map2(record);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        Output.Collect(result);
    }
}
