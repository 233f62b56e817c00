using DataflowCompiler.State;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>
/// A one-input operator on a keyed stream: sets the current key of its state backend per record, and owns the
/// operator's timer services, whose event-time timers fire when the watermark advances, before it is forwarded.
/// </summary>
internal abstract class KeyedOneInputOperator<TKey, TIn, TOut>(Func<TIn, TKey> keySelector) : OneInputOperator<TIn, TOut>
{
    protected IKeyedStateBackend<TKey> Backend = null!;

    /// <summary>The timer services of this operator (process-function timers; window timers later).</summary>
    protected TimeServiceManager<TKey> TimeServices = null!;

    protected override IKeyedStateStore? KeyedStateStore => Backend;

    public override void Open()
    {
        Backend = Context.CreateKeyedBackend<TKey>();
        TimeServices = Context.CreateTimeServices(Backend);
        base.Open();
    }

    public sealed override void ProcessElement(TIn record)
    {
        RecordsIn++;
        try
        {
            Backend.SetCurrentKey(keySelector(record));
            ProcessKeyed(record);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    /// <summary>Processes a record whose key is already current.</summary>
    protected abstract void ProcessKeyed(TIn record);

    protected override void OnWatermark(long watermark)
    {
        try
        {
            TimeServices.AdvanceWatermark(watermark);
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

    public override void Close()
    {
        try
        {
            base.Close();
        }
        finally
        {
            Backend?.Dispose();
        }
    }
}
