using DataflowCompiler.Functions;

namespace DataflowCompiler.Operators;

/// <summary>A rich Map or FlatMap after KeyBy: the function reads keyed state of the record's key.</summary>
internal sealed class KeyedStreamFunction<TKey, TIn, TOut>(Func<TIn, TKey> keySelector, Action<TIn, ICollector<TOut>> body, object function)
    : KeyedOneInputOperator<TKey, TIn, TOut>(keySelector)
{
    protected override object? UserFunction => function;

    protected override void ProcessKeyed(TIn record) => body(record, Output);
}
