using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Fusion;

/// <summary>
/// Reads one input channel of a network-headed fused chain: one call per buffer, the loop is the chain's. As
/// <see cref="ChannelReader{T}"/>: on a timestamped edge the deserializer sets the task's record timestamp per record,
/// which the chain reads; on an edge without, it is cleared once per buffer.
/// </summary>
internal sealed class FusedChannelReader<T>(RecordDeserializer<T> deserializer, FusedInput<T> input, Time.RecordTimestamp? clearPerBuffer) : IChannelReader
{
    public IWatermarkInput Target => input;

    public void ProcessBuffer(NetworkBuffer buffer)
    {
        if (clearPerBuffer is not null)
        {
            clearPerBuffer.Value = Time.RecordTimestamp.None;
        }
        deserializer.SetNextBuffer(buffer);
        input.Chain.ProcessRecords(deserializer);
    }

    public void Clear() => deserializer.Clear();

    public byte[] PartialRecordBytes() => deserializer.GetPartialRecordBytes();

    public void RestorePartialRecord(ReadOnlySpan<byte> bytes)
    {
        deserializer.RestorePartialRecord(bytes);
        input.Chain.ProcessRecords(deserializer);
    }
}
