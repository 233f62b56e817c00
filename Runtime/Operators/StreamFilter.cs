namespace DataflowCompiler.Operators;

internal sealed class StreamFilter<T>(Func<T, bool> predicate, object? function) : OneInputOperator<T, T>
{
    protected override object? UserFunction => function;

    public override void ProcessElement(T record)
    {
        RecordsIn++;
        bool keep;
        try
        {
            keep = predicate(record);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        if (keep)
        {
            Output.Collect(record);
        }
    }
}
