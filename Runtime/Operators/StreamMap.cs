namespace DataflowCompiler.Operators;

internal sealed class StreamMap<TIn, TOut>(Func<TIn, TOut> map, object? function) : OneInputOperator<TIn, TOut>
{
    protected override object? UserFunction => function;

    public override void ProcessElement(TIn record)
    {
        RecordsIn++;
        TOut result;
        try
        {
            result = map(record);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        Output.Collect(result);
    }
}
