using DataflowCompiler.Functions;

namespace DataflowCompiler.Operators;

internal sealed class StreamFlatMap<TIn, TOut>(Action<TIn, ICollector<TOut>> flatMap, object? function) : OneInputOperator<TIn, TOut>
{
    protected override object? UserFunction => function;

    public override void ProcessElement(TIn record)
    {
        RecordsIn++;
        try
        {
            flatMap(record, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }
}
