namespace DataflowCompiler.Partitioning;

/// <summary>How records of an edge are spread over the downstream subtasks. One instance per producing subtask.</summary>
internal abstract class StreamPartitioner
{
    /// <summary>Short name used in chain signatures and messages ("forward", "hash", ...).</summary>
    public abstract string Kind { get; }

    /// <summary>Pointwise edges connect each producer to a subset of consumers (forward, rescale); the others connect all to all.</summary>
    public virtual bool IsPointwise => false;

    /// <summary>True if every record goes to every channel.</summary>
    public virtual bool IsBroadcast => false;

    /// <summary>Called once per producing subtask before the first record.</summary>
    public virtual void Setup(int numberOfChannels, int subtaskIndex, int downstreamMaxParallelism) { }
}

/// <summary>A partitioner that looks at the record to choose its channel.</summary>
internal abstract class StreamPartitioner<T> : StreamPartitioner
{
    public abstract int SelectChannel(T record, int numberOfChannels);
}
