using DataflowCompiler.Functions;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

internal sealed class CoProcessOperator<TIn1, TIn2, TOut>(CoProcessFunction<TIn1, TIn2, TOut> function) : TwoInputOperator<TIn1, TIn2, TOut>
{
    private ContextImpl? _context;

    protected override object? UserFunction => function;

    public override void Open()
    {
        _context = new ContextImpl(this, new NonKeyedTimerService(() => CurrentWatermark, Context.Time.ProcessingTime, Name));
        base.Open();
    }

    public override void ProcessElement1(TIn1 record)
    {
        RecordsIn++;
        try
        {
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
            function.ProcessElement2(record, _context!, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    private sealed class ContextImpl(CoProcessOperator<TIn1, TIn2, TOut> op, ITimerService timerService) : CoProcessFunction<TIn1, TIn2, TOut>.Context
    {
        public override long? Timestamp => op.RecordTimestamp.AsNullable;

        public override ITimerService TimerService => timerService;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
