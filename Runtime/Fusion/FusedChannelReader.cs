using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Fusion;

/// <summary>Reads one input channel of a network-headed fused chain: one call per buffer, the loop is the chain's.</summary>
internal sealed class FusedChannelReader<T>(RecordDeserializer<T> deserializer, FusedInput<T> input) : IChannelReader
{
    public IWatermarkInput Target => input;

    public void ProcessBuffer(NetworkBuffer buffer)
    {
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
