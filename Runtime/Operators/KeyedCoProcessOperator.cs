using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Operators;

/// <summary>A co-process operator on connected keyed streams: state is scoped to the key of the record being processed.</summary>
internal sealed class KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut>(
    CoProcessFunction<TIn1, TIn2, TOut> function, Func<TIn1, TKey> keySelector1, Func<TIn2, TKey> keySelector2)
    : TwoInputOperator<TIn1, TIn2, TOut>
{
    private IKeyedStateBackend<TKey> _backend = null!;
    private ContextImpl? _context;

    protected override object? UserFunction => function;

    protected override IKeyedStateStore? KeyedStateStore => _backend;

    public override void Open()
    {
        _backend = Context.CreateKeyedBackend<TKey>();
        _context = new ContextImpl(this);
        base.Open();
    }

    public override void ProcessElement1(TIn1 record)
    {
        RecordsIn++;
        try
        {
            _backend.SetCurrentKey(keySelector1(record));
            function.ProcessElement1(record, _context!, Output);
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
            _backend.SetCurrentKey(keySelector2(record));
            function.ProcessElement2(record, _context!, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    public override void Close()
    {
        try
        {
            base.Close();
        }
        finally
        {
            _backend?.Dispose();
        }
    }

    private sealed class ContextImpl(KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut> op) : CoProcessFunction<TIn1, TIn2, TOut>.Context
    {
        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
