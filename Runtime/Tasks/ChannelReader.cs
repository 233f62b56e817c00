using DataflowCompiler.Network;
using DataflowCompiler.Operators;

namespace DataflowCompiler.Tasks;

/// <summary>Turns the buffers of one input channel back into records and pushes them into an operator input.</summary>
internal interface IChannelReader
{
    void ProcessBuffer(NetworkBuffer buffer);

    /// <summary>Drops a partial record and recycles a held buffer (release).</summary>
    void Clear();
}

internal sealed class ChannelReader<T>(RecordDeserializer<T> deserializer, IInput<T> target) : IChannelReader
{
    public void ProcessBuffer(NetworkBuffer buffer)
    {
        deserializer.SetNextBuffer(buffer);
        while (deserializer.TryNext(out var record))
        {
            target.ProcessElement(record);
        }
    }

    public void Clear() => deserializer.Clear();
}
