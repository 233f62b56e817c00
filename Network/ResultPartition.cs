using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// The output of one producing subtask: one <see cref="ResultSubpartition"/> per consuming
/// channel. It reserves <see cref="NetworkSettings.PartitionBuffers"/> segments from the network
/// pool when created and returns all of them on <see cref="Release"/>.
/// Written by its owning task thread only.
/// </summary>
public sealed class ResultPartition
{
    /// <param name="owner">Name of the producing subtask, used in error messages.</param>
    public ResultPartition(string owner, int numberOfSubpartitions, MemorySegmentPool pool, NetworkSettings settings, CancellationToken cancellation)
    {
        throw new NotImplementedException();
    }

    public string Owner => throw new NotImplementedException();
    public int NumberOfSubpartitions => throw new NotImplementedException();
    public ResultSubpartition GetSubpartition(int index) => throw new NotImplementedException();

    /// <summary>Ships every non-empty current buffer (the output flusher's action).</summary>
    public void Flush() => throw new NotImplementedException();

    /// <summary>Flushes, then puts the event into every subpartition, in order after all records written so far.</summary>
    public void BroadcastEvent(RuntimeEvent @event) => throw new NotImplementedException();

    /// <summary>Flushes and sends end-of-partition on every subpartition. No writes after this.</summary>
    public void Finish() => throw new NotImplementedException();

    /// <summary>Returns every segment this partition holds, shipped or not (cancel, failure or after consumers finished). Idempotent.</summary>
    public void Release() => throw new NotImplementedException();
}
