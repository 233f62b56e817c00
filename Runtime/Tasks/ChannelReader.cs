using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Time;

namespace DataflowCompiler.Tasks;

/// <summary>Turns the buffers of one input channel back into records and pushes them into an operator input.</summary>
internal interface IChannelReader
{
    void ProcessBuffer(NetworkBuffer buffer);

    /// <summary>Drops a partial record and recycles a held buffer (release).</summary>
    void Clear();

    /// <summary>The operator input the channel feeds (watermarks of the channel go there through the input's valve).</summary>
    IWatermarkInput Target { get; }

    /// <summary>The bytes of a record begun in buffers already processed (unaligned checkpoints store them).</summary>
    byte[] PartialRecordBytes();

    /// <summary>Puts back bytes from <see cref="PartialRecordBytes"/> before the channel's recovered buffers.</summary>
    void RestorePartialRecord(ReadOnlySpan<byte> bytes);
}

/// <summary>
/// Reads one channel. On an edge with timestamps the deserializer sets the task's record timestamp for every
/// record (<see cref="TimestampedRecordSerializer{T}"/>); on an edge without, the timestamp is cleared once per
/// buffer, so records of this channel never show the timestamp of another channel's record.
/// </summary>
internal sealed class ChannelReader<T>(RecordDeserializer<T> deserializer, IInput<T> target, RecordTimestamp? clearPerBuffer) : IChannelReader
{
    public IWatermarkInput Target => target;

    public void ProcessBuffer(NetworkBuffer buffer)
    {
        if (clearPerBuffer is not null)
        {
            clearPerBuffer.Value = RecordTimestamp.None;
        }
        deserializer.SetNextBuffer(buffer);
        while (deserializer.TryNext(out var record))
        {
            target.ProcessElement(record);
        }
    }

    public void Clear() => deserializer.Clear();

    public byte[] PartialRecordBytes() => deserializer.GetPartialRecordBytes();

    public void RestorePartialRecord(ReadOnlySpan<byte> bytes)
    {
        deserializer.RestorePartialRecord(bytes);
        while (deserializer.TryNext(out var record))
        {
            target.ProcessElement(record);
        }
    }
}
