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

    /// <summary>
    /// Most buffers one subpartition may hold (its current buffer plus those waiting for credit):
    /// its own share plus half of the floating ones, so a stalled subpartition cannot take all of them.
    /// A partition with one subpartition may use everything.
    /// </summary>
    public int MaxBuffersPerSubpartition(int subpartitions) =>
        subpartitions <= 1
            ? PartitionBuffers(subpartitions)
            : BuffersPerSubpartition + Math.Max(1, (FloatingBuffersPerPartition + 1) / 2);

    internal void ValidateForPartition(string owner)
    {
        if (BuffersPerSubpartition < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BuffersPerSubpartition), BuffersPerSubpartition,
                $"Result partition '{owner}': BuffersPerSubpartition must be at least 1, or a subpartition could never get a buffer.");
        }
        if (FloatingBuffersPerPartition < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FloatingBuffersPerPartition), FloatingBuffersPerPartition,
                $"Result partition '{owner}': FloatingBuffersPerPartition must not be negative.");
        }
    }

    internal void ValidateForGate(string owner)
    {
        if (ExclusiveBuffersPerChannel < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ExclusiveBuffersPerChannel), ExclusiveBuffersPerChannel,
                $"Input gate '{owner}': ExclusiveBuffersPerChannel must be at least 1, or one stalled channel could take every floating buffer and block its siblings.");
        }
        if (FloatingBuffersPerGate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FloatingBuffersPerGate), FloatingBuffersPerGate,
                $"Input gate '{owner}': FloatingBuffersPerGate must not be negative.");
        }
    }
}
