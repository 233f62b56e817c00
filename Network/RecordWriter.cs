using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Network;

/// <summary>
/// Serializes records into the buffers of a <see cref="ResultPartition"/>'s subpartitions.
/// A record is written as a 4-byte little-endian length and its bytes and may span buffers.
/// When the current buffer of a subpartition is full it is shipped; when no buffer is free the
/// writer waits (backpressure). Used by the producing task thread only; allocation-free in steady state.
/// </summary>
public sealed class RecordWriter<T>
{
    /// <param name="flushAlways">Flush after every record (buffer timeout 0).</param>
    public RecordWriter(ResultPartition partition, IRecordSerializer<T> serializer, bool flushAlways = false)
    {
        throw new NotImplementedException();
    }

    public ResultPartition Partition => throw new NotImplementedException();

    public void Emit(T record, int subpartition) => throw new NotImplementedException();

    public void Broadcast(T record) => throw new NotImplementedException();

    public void Flush() => throw new NotImplementedException();
}
