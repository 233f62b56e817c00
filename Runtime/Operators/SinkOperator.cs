using DataflowCompiler.Sinks;

namespace DataflowCompiler.Operators;

/// <summary>Writes every record to the sink's writer; flushes at end of input; disposes on close.</summary>
internal sealed class SinkOperator<T>(ISink<T> sink) : OneInputOperator<T, T>
{
    private ISinkWriter<T>? _writer;

    public override void SetOutput(object output) { }

    public override void Open()
    {
        Guard(() => _writer = sink.CreateWriter(new SinkWriterContext(Context.SubtaskIndex, Context.Parallelism, Context.TaskName)));
        Checkpointing.SinkWriters.Prepare(_writer!, Context.CheckpointingEnabled);
        CheckpointHooks.Add(_writer);
    }

    public override void ProcessElement(T record)
    {
        RecordsIn++;
        try
        {
            _writer!.Write(record);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    public override void Finish() => Guard(() => _writer?.Flush(endOfInput: true));

    public override void Close()
    {
        var writer = _writer;
        _writer = null;
        if (writer is not null)
        {
            Guard(writer.Dispose);
        }
    }
}
