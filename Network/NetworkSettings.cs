namespace DataflowCompiler.Network;

/// <summary>Buffer counts of the exchange (DESIGN §5). Defaults follow Flink's.</summary>
public sealed record NetworkSettings
{
    /// <summary>Buffers each input channel owns for its whole life (its guaranteed credit). Default 2.</summary>
    public int ExclusiveBuffersPerChannel { get; init; } = 2;

    /// <summary>Buffers an input gate shares among its channels, handed out by backlog. Default 8.</summary>
    public int FloatingBuffersPerGate { get; init; } = 8;

    /// <summary>Buffers a result partition may fill per subpartition before its producer waits. Default 2.</summary>
    public int BuffersPerSubpartition { get; init; } = 2;

    /// <summary>Extra buffers a result partition shares among its subpartitions. Default 8.</summary>
    public int FloatingBuffersPerPartition { get; init; } = 8;

    /// <summary>Buffers a result partition reserves for the given number of subpartitions.</summary>
    public int PartitionBuffers(int subpartitions) => subpartitions * BuffersPerSubpartition + FloatingBuffersPerPartition;

    /// <summary>Buffers an input gate reserves for the given number of channels.</summary>
    public int GateBuffers(int channels) => channels * ExclusiveBuffersPerChannel + FloatingBuffersPerGate;
}
