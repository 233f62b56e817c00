using DataflowCompiler.Functions;
using DataflowCompiler.State;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>
/// A co-process operator on connected keyed streams: state and timers are scoped to the key of the record being
/// processed; event time is the minimum of both inputs' watermarks, and event-time timers fire before it is forwarded.
/// </summary>
internal sealed class KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut>(
    CoProcessFunction<TIn1, TIn2, TOut> function, Func<TIn1, TKey> keySelector1, Func<TIn2, TKey> keySelector2)
    : TwoInputOperator<TIn1, TIn2, TOut>, ITimerTarget<TKey, VoidNamespace>
{
    private IKeyedStateBackend<TKey> _backend = null!;
    private TimeServiceManager<TKey> _timeServices = null!;
    private ContextImpl? _context;
    private OnTimerContextImpl? _onTimerContext;

    protected override object? UserFunction => function;

    protected override IKeyedStateStore? KeyedStateStore => _backend;

    public override void Open()
    {
        _backend = Context.CreateKeyedBackend<TKey>();
        _timeServices = Context.CreateTimeServices(_backend);
        var timerService = new KeyedTimerService<TKey>(_timeServices.GetTimerService("user-timers", VoidNamespace.Serializer, this));
        _context = new ContextImpl(this, timerService);
        _onTimerContext = new OnTimerContextImpl(this, timerService);
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

    protected override void OnWatermark(long watermark)
    {
        try
        {
            _timeServices.AdvanceWatermark(watermark);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        finally
        {
            RecordTimestamp.Value = RecordTimestamp.None;
        }
    }

    public void OnEventTime(in InternalTimer<TKey, VoidNamespace> timer)
    {
        RecordTimestamp.Value = timer.Timestamp;
        _onTimerContext!.Fire(TimeDomain.EventTime, timer.Timestamp);
        function.OnTimer(timer.Timestamp, _onTimerContext, Output);
    }

    public void OnProcessingTime(in InternalTimer<TKey, VoidNamespace> timer)
    {
        RecordTimestamp.Value = RecordTimestamp.None;
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

    private sealed class ContextImpl(KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut> op, ITimerService timerService) : CoProcessFunction<TIn1, TIn2, TOut>.Context
    {
        public override long? Timestamp => op.RecordTimestamp.AsNullable;

        public override ITimerService TimerService => timerService;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }

    private sealed class OnTimerContextImpl(KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut> op, ITimerService timerService) : CoProcessFunction<TIn1, TIn2, TOut>.OnTimerContext
    {
        private TimeDomain _domain;
        private long _timestamp;

        public void Fire(TimeDomain domain, long timestamp)
        {
            _domain = domain;
            _timestamp = timestamp;
        }

        public override TimeDomain TimeDomain => _domain;

        public override object CurrentKey => op._backend.CurrentKey!;

        public override long? Timestamp => _timestamp;

        public override ITimerService TimerService => timerService;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
