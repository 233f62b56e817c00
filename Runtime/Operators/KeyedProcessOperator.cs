using DataflowCompiler.Functions;

namespace DataflowCompiler.Operators;

internal sealed class KeyedProcessOperator<TKey, TIn, TOut>(KeyedProcessFunction<TKey, TIn, TOut> function, Func<TIn, TKey> keySelector)
    : KeyedOneInputOperator<TKey, TIn, TOut>(keySelector)
{
    private ContextImpl? _context;

    protected override object? UserFunction => function;

    public override void Open()
    {
        _context = new ContextImpl(this);
        base.Open();
    }

    protected override void ProcessKeyed(TIn record) => function.ProcessElement(record, _context!, Output);

    private sealed class ContextImpl(KeyedProcessOperator<TKey, TIn, TOut> op) : KeyedProcessFunction<TKey, TIn, TOut>.Context
    {
        public override TKey CurrentKey => op.Backend.CurrentKey;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
