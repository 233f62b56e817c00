using DataflowCompiler.Memory;

namespace DataflowCompiler.Cluster;

/// <summary>
/// Owns the memory that tasks use: network buffers and managed memory (keyed state), each a
/// bounded segment pool, and runs subtasks on its slots.
/// </summary>
internal sealed class TaskManager
{
    public TaskManager(StreamConfiguration configuration)
    {
        NetworkPool = new MemorySegmentPool(configuration.NetworkMemoryBytes, configuration.SegmentSize, "network");
        ManagedPool = new MemorySegmentPool(configuration.ManagedMemoryBytes, configuration.SegmentSize, "managed");
    }

    public MemorySegmentPool NetworkPool { get; }

    public MemorySegmentPool ManagedPool { get; }
}
