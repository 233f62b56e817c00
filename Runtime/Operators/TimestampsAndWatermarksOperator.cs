using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>
/// <see cref="DataStream{T}.AssignTimestampsAndWatermarks"/>: gives every record the strategy's timestamp and
/// generates watermarks from them, periodically and/or per record. Upstream watermarks and statuses are
/// dropped (this operator defines event time from here on), except the end-of-time watermark of a finished input.
/// </summary>
internal sealed class TimestampsAndWatermarksOperator<T>(WatermarkStrategy<T> strategy) : OneInputOperator<T, T>
{
    private WatermarkGeneration<T>? _watermarks;

    public override void Open()
    {
        base.Open();
        Guard(() => _watermarks = new WatermarkGeneration<T>(strategy, Context.Time, Name, Context.SubtaskIndex, Output, Guard));
        _watermarks!.Start();
    }

    public override void ProcessElement(T record)
    {
        RecordsIn++;
        var timestamp = RecordTimestamp;
        long previous = timestamp.Value;
        long time;
        try
        {
            time = _watermarks!.ExtractTimestamp(record, previous);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        timestamp.Value = time;
        Output.Collect(record);
        try
        {
            _watermarks.OnEvent(record, time);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        // A sibling branch of the chain still sees the record's timestamp as it was.
        timestamp.Value = previous;
    }

    public override void ProcessWatermark(Watermark watermark)
    {
        if (watermark.Timestamp == long.MaxValue)
        {
            _watermarks!.EmitFinalWatermark();
        }
    }

    public override void ProcessWatermarkStatus(WatermarkStatus status) { }

    public override void Close()
    {
        _watermarks?.Stop();
        base.Close();
    }
}
