using DataflowCompiler.Functions;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>Runs a <see cref="KeyedProcessFunction{TKey,TIn,TOut}"/>: keyed state and timers of the record's key.</summary>
internal sealed class KeyedProcessOperator<TKey, TIn, TOut>(KeyedProcessFunction<TKey, TIn, TOut> function, Func<TIn, TKey> keySelector)
    : KeyedOneInputOperator<TKey, TIn, TOut>(keySelector), ITimerTarget<TKey, VoidNamespace>
{
    private ContextImpl? _context;
    private OnTimerContextImpl? _onTimerContext;

    protected override object? UserFunction => function;

    public override void Open()
    {
        base.Open();
        var timerService = new KeyedTimerService<TKey>(TimeServices.GetTimerService("user-timers", VoidNamespace.Serializer, this));
        _context = new ContextImpl(this, timerService);
        _onTimerContext = new OnTimerContextImpl(this, timerService);
    }

    protected override void ProcessKeyed(TIn record) => function.ProcessElement(record, _context!, Output);

    public void OnEventTime(in InternalTimer<TKey, VoidNamespace> timer)
    {
        // Output of an event-time timer carries the timer's timestamp.
        RecordTimestamp.Value = timer.Timestamp;
        _onTimerContext!.Fire(TimeDomain.EventTime, timer.Timestamp);
        function.OnTimer(timer.Timestamp, _onTimerContext, Output);
    }

    public void OnProcessingTime(in InternalTimer<TKey, VoidNamespace> timer)
    {
        RecordTimestamp.Value = Time.RecordTimestamp.None;
        _onTimerContext!.Fire(TimeDomain.ProcessingTime, timer.Timestamp);
        try
        {
            function.OnTimer(timer.Timestamp, _onTimerContext, Output);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    private sealed class ContextImpl(KeyedProcessOperator<TKey, TIn, TOut> op, ITimerService timerService) : KeyedProcessFunction<TKey, TIn, TOut>.Context
    {
        public override TKey CurrentKey => op.Backend.CurrentKey;

        public override long? Timestamp => op.RecordTimestamp.AsNullable;

        public override ITimerService TimerService => timerService;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }

    private sealed class OnTimerContextImpl(KeyedProcessOperator<TKey, TIn, TOut> op, ITimerService timerService) : KeyedProcessFunction<TKey, TIn, TOut>.OnTimerContext
    {
        private TimeDomain _domain;
        private long _timestamp;

        public void Fire(TimeDomain domain, long timestamp)
        {
            _domain = domain;
            _timestamp = timestamp;
        }

        public override TimeDomain TimeDomain => _domain;

        public override TKey CurrentKey => op.Backend.CurrentKey;

        public override long? Timestamp => _timestamp;

        public override ITimerService TimerService => timerService;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
