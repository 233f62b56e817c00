using DataflowCompiler.State;

namespace DataflowCompiler.Operators;

/// <summary>A one-input operator on a keyed stream: sets the current key of its state backend per record.</summary>
internal abstract class KeyedOneInputOperator<TKey, TIn, TOut>(Func<TIn, TKey> keySelector) : OneInputOperator<TIn, TOut>
{
    protected IKeyedStateBackend<TKey> Backend = null!;

    protected override IKeyedStateStore? KeyedStateStore => Backend;

    public override void Open()
    {
        Backend = Context.CreateKeyedBackend<TKey>();
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
