namespace DataflowCompiler.Time;

/// <summary>
/// The timestamp of the record a task is processing (Flink keeps it in the StreamRecord). One per task,
/// shared by its operators and channel readers: whoever starts a record on its way sets it (a channel reader,
/// a source or timestamp assigner, a firing timer), and chained operators and record writers read it, so a
/// record keeps its timestamp through Map, Filter, Process and across the network.
/// </summary>
internal sealed class RecordTimestamp
{
    /// <summary>The value that means "no timestamp" (it cannot be a record timestamp, as in Flink's Long.MIN_VALUE watermark).</summary>
    public const long None = long.MinValue;

    /// <summary>The current record's timestamp, or <see cref="None"/>.</summary>
    public long Value = None;

    /// <summary>The timestamp as user code sees it.</summary>
    public long? AsNullable => Value == None ? null : Value;
}
