using DataflowCompiler.Functions;
using DataflowCompiler.State;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Operators;

/// <summary>
/// Runs a window operator (<see cref="IWindowOperator{TKey, TIn, TOut, W}"/>) in a task: implements its context
/// over the keyed state backend, one timer service with the window as namespace (so event-time windows fire when
/// the watermark advances, before it is forwarded) and the operator's outputs. Results and side outputs carry the
/// timestamp the window operator gives them (the window's max timestamp) in the task's record-timestamp slot.
/// </summary>
internal sealed class KeyedWindowOperator<TKey, TIn, TOut, W>(IWindowOperator<TKey, TIn, TOut, W> windowOperator, Func<TIn, TKey> keySelector,
    WindowStateProbe? probe)
    : KeyedOneInputOperator<TKey, TIn, TOut>(keySelector), IWindowOperatorContext<TKey, W, TOut>, ITimerTarget<TKey, W>
    where W : IWindow
{
    private InternalTimerService<TKey, W> _timers = null!;

    IKeyedStateBackend<TKey> IWindowOperatorContext<TKey, W>.KeyedStateBackend => Backend;

    long IWindowOperatorContext<TKey, W>.CurrentWatermark => _timers.CurrentWatermark;

    long IWindowOperatorContext<TKey, W>.CurrentProcessingTime => _timers.CurrentProcessingTime;

    public override void Open()
    {
        base.Open();
        _timers = TimeServices.GetTimerService("window-timers", windowOperator.WindowSerializer, this);
        var runtimeContext = Context.CreateRuntimeContext(KeyedStateStore);
        foreach (var function in windowOperator.UserFunctions)
        {
            if (function is IRichFunction rich)
            {
                Guard(() => rich.Open(runtimeContext));
            }
        }
        Guard(() => windowOperator.Open(this));
    }

    protected override void ProcessKeyed(TIn record)
    {
        // Firing on an element (count triggers) overwrites the timestamp slot; chained siblings still need the record's.
        long timestamp = RecordTimestamp.Value;
        try
        {
            windowOperator.ProcessElement(Backend.CurrentKey, record, timestamp);
        }
        finally
        {
            RecordTimestamp.Value = timestamp;
        }
    }

    public void OnEventTime(in InternalTimer<TKey, W> timer) => windowOperator.OnEventTime(timer.Key, timer.Namespace, timer.Timestamp);

    public void OnProcessingTime(in InternalTimer<TKey, W> timer)
    {
        try
        {
            windowOperator.OnProcessingTime(timer.Key, timer.Namespace, timer.Timestamp);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        finally
        {
            RecordTimestamp.Value = Time.RecordTimestamp.None;
        }
    }

    void IWindowOperatorContext<TKey, W>.RegisterEventTimeTimer(W window, long time) => _timers.RegisterEventTimeTimer(window, time);

    void IWindowOperatorContext<TKey, W>.DeleteEventTimeTimer(W window, long time) => _timers.DeleteEventTimeTimer(window, time);

    void IWindowOperatorContext<TKey, W>.RegisterProcessingTimeTimer(W window, long time) => _timers.RegisterProcessingTimeTimer(window, time);

    void IWindowOperatorContext<TKey, W>.DeleteProcessingTimeTimer(W window, long time) => _timers.DeleteProcessingTimeTimer(window, time);

    void IWindowOperatorContext<TKey, W, TOut>.Emit(TOut record, long timestamp)
    {
        RecordTimestamp.Value = timestamp;
        Output.Collect(record);
    }

    void IWindowOperatorContext<TKey, W>.EmitSide<TSide>(OutputTag<TSide> tag, TSide record, long timestamp)
    {
        RecordTimestamp.Value = timestamp;
        Output.CollectSide(tag, record);
    }

    public override void Finish()
    {
        base.Finish();
        if (probe is not null)
        {
            long entries = Backend.EntryCount;
            probe.Report(Context.SubtaskIndex, entries, _timers.EventTimeTimerCount, _timers.ProcessingTimeTimerCount, windowOperator.NumLateRecordsDropped);
        }
    }

    public override void Close()
    {
        try
        {
            if (_timers is not null)
            {
                Context.GetCounter($"{Name}.numLateRecordsDropped").Add(windowOperator.NumLateRecordsDropped);
            }
            foreach (var function in windowOperator.UserFunctions)
            {
                if (function is IRichFunction rich)
                {
                    Guard(rich.Close);
                }
            }
        }
        finally
        {
            base.Close();
        }
    }
}
