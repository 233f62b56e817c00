using DataflowCompiler.Sources;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>
/// Polls a source reader from the task's mailbox loop. <see cref="EmitBatch"/> emits up to a batch of
/// records and returns early when the reader has nothing or the task has mail. With a watermark strategy it
/// assigns each record's timestamp, feeds the watermark generator and emits periodic watermarks; at the end
/// of the input it emits <see cref="Watermark.MaxValue"/> (with or without a strategy), so every event-time
/// timer downstream fires, as in Flink.
/// </summary>
internal sealed class SourceOperator<T>(ISource<T> source, WatermarkStrategy<T>? strategy = null) : OneInputOperator<T, T>, ISourceDriver
{
    private ISourceReader<T>? _reader;
    private WatermarkGeneration<T>? _watermarks;

    public override object GetInput(int inputIndex) =>
        throw new InvalidOperationException($"Source '{Name}' has no inputs.");

    public override void ProcessElement(T record) =>
        throw new InvalidOperationException($"Source '{Name}' has no inputs.");

    public override void Open()
    {
        base.Open();
        if (strategy is not null)
        {
            Guard(() => _watermarks = new WatermarkGeneration<T>(strategy, Context.Time, Name, Context.SubtaskIndex, Output, Guard));
            _watermarks!.Start();
        }
    }

    public void OpenReader(Action signalAvailable)
    {
        Guard(() => _reader = source.CreateReader(new SourceReaderContext(
            Context.SubtaskIndex, Context.Parallelism, Context.TaskName, signalAvailable, Context.Cancellation)));
        if (Context.Restore?.SourcePosition(Context.SubtaskIndex) is { } position)
        {
            var positioned = _reader as IPositionedReader
                ?? throw new InvalidOperationException($"source '{Name}' has a saved read position, but its reader cannot seek.");
            Guard(() => positioned.Seek(position));
        }
    }

    protected override void SnapshotSections(IDictionary<string, byte[]> sections)
    {
        if (_reader is IPositionedReader positioned)
        {
            Checkpointing.SnapshotSections.AddSourcePosition(sections, positioned.Position);
        }
    }

    public ReadStatus EmitBatch(int maxRecords, ref int mailFlag)
    {
        if (_watermarks is not null)
        {
            return EmitBatchWithTimestamps(_watermarks, maxRecords, ref mailFlag);
        }
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

    private ReadStatus EmitBatchWithTimestamps(WatermarkGeneration<T> watermarks, int maxRecords, ref int mailFlag)
    {
        var reader = _reader!;
        var timestamp = RecordTimestamp;
        for (int i = 0; i < maxRecords; i++)
        {
            ReadStatus status;
            T record;
            long time;
            try
            {
                status = reader.PollNext(out record);
                if (status != ReadStatus.Record)
                {
                    return status;
                }
                RecordsIn++;
                time = watermarks.ExtractTimestamp(record, RecordTimestamp.None);
            }
            catch (Exception e) when (IsUserFailure(e))
            {
                throw Fail(e);
            }
            timestamp.Value = time;
            Output.Collect(record);
            try
            {
                watermarks.OnEvent(record, time);
            }
            catch (Exception e) when (IsUserFailure(e))
            {
                throw Fail(e);
            }
            if (Volatile.Read(ref mailFlag) != 0)
            {
                break;
            }
        }
        return ReadStatus.Record;
    }

    /// <summary>End of input: event time jumps to the end.</summary>
    public override void Finish()
    {
        if (_watermarks is not null)
        {
            _watermarks.EmitFinalWatermark();
        }
        else
        {
            AdvanceWatermark(Watermark.MaxValue);
        }
    }

    public override void Close()
    {
        _watermarks?.Stop();
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
