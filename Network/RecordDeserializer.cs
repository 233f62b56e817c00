using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Network;

/// <summary>
/// Reads length-prefixed records out of the buffers of one channel, joining records that span
/// buffers in a spill buffer. One per input channel; thread-confined.
/// </summary>
public sealed class RecordDeserializer<T>
{
    public RecordDeserializer(IRecordSerializer<T> serializer) => throw new NotImplementedException();

    /// <summary>Starts reading a new buffer. The previous one must be fully read.</summary>
    public void SetNextBuffer(NetworkBuffer buffer) => throw new NotImplementedException();

    /// <summary>
    /// Reads the next whole record of the current buffer. Returns false when the buffer is used up
    /// (a partial record at its end is kept for the next buffer); the deserializer has then already
    /// recycled the buffer.
    /// </summary>
    public bool TryNext(out T record) => throw new NotImplementedException();

    /// <summary>True if a record started in an earlier buffer is waiting for its remaining bytes.</summary>
    public bool HasPartialRecord => throw new NotImplementedException();

    /// <summary>Recycles the current buffer, if any, and forgets partial data (on release).</summary>
    public void Clear() => throw new NotImplementedException();
}
