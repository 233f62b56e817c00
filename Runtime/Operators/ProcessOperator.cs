using DataflowCompiler.Functions;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

internal sealed class ProcessOperator<TIn, TOut>(ProcessFunction<TIn, TOut> function) : OneInputOperator<TIn, TOut>
{
    private ContextImpl? _context;

    protected override object? UserFunction => function;

    public override void Open()
    {
        _context = new ContextImpl(this, new NonKeyedTimerService(() => CurrentWatermark, Context.Time.ProcessingTime, Name));
        base.Open();
    }

    public override void ProcessElement(TIn record)
    {
        RecordsIn++;
        try
        {
            function.ProcessElement(record, _context!, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    private sealed class ContextImpl(ProcessOperator<TIn, TOut> op, ITimerService timerService) : ProcessFunction<TIn, TOut>.Context
    {
        public override long? Timestamp => op.RecordTimestamp.AsNullable;

        public override ITimerService TimerService => timerService;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
