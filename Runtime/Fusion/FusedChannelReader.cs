using DataflowCompiler.Network;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Fusion;

/// <summary>Reads one input channel of a network-headed fused chain: one call per buffer, the loop is the chain's.</summary>
internal sealed class FusedChannelReader<T>(RecordDeserializer<T> deserializer, FusedChain<T> chain) : IChannelReader
{
    public void ProcessBuffer(NetworkBuffer buffer)
    {
        deserializer.SetNextBuffer(buffer);
        chain.ProcessRecords(deserializer);
    }

    public void Clear() => deserializer.Clear();
}
