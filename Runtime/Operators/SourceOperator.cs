using DataflowCompiler.Sources;

namespace DataflowCompiler.Operators;

/// <summary>
/// Polls a source reader from the task's mailbox loop. <see cref="EmitBatch"/> emits up to a batch of
/// records and returns early when the reader has nothing or the task has mail.
/// </summary>
internal sealed class SourceOperator<T>(ISource<T> source) : OneInputOperator<T, T>, ISourceDriver
{
    private ISourceReader<T>? _reader;

    public override object GetInput(int inputIndex) =>
        throw new InvalidOperationException($"Source '{Name}' has no inputs.");

    public override void ProcessElement(T record) =>
        throw new InvalidOperationException($"Source '{Name}' has no inputs.");

    public void OpenReader(Action signalAvailable)
    {
        Guard(() => _reader = source.CreateReader(new SourceReaderContext(
            Context.SubtaskIndex, Context.Parallelism, Context.TaskName, signalAvailable, Context.Cancellation)));
    }

    public ReadStatus EmitBatch(int maxRecords, ref int mailFlag)
    {
        var reader = _reader!;
        for (int i = 0; i < maxRecords; i++)
        {
            ReadStatus status;
            T record;
            try
            {
                status = reader.PollNext(out record);
            }
            catch (Exception e) when (IsUserFailure(e))
            {
                throw Fail(e);
            }
            if (status != ReadStatus.Record)
            {
                return status;
            }
            RecordsIn++;
            Output.Collect(record);
            if (Volatile.Read(ref mailFlag) != 0)
            {
                break;
            }
        }
        return ReadStatus.Record;
    }

    public override void Close()
    {
        var reader = _reader;
        _reader = null;
        if (reader is not null)
        {
            Guard(reader.Dispose);
        }
    }
}

/// <summary>The task's view of a source operator, independent of the record type.</summary>
internal interface ISourceDriver
{
    void OpenReader(Action signalAvailable);

    /// <summary>Emits up to <paramref name="maxRecords"/>; stops early once <paramref name="mailFlag"/> is set.</summary>
    ReadStatus EmitBatch(int maxRecords, ref int mailFlag);
}
