using DataflowCompiler.Partitioning;

namespace DataflowCompiler.Graph;

/// <summary>A logical connection between two operators, with its partitioning.</summary>
internal sealed class StreamEdge
{
    public StreamEdge(StreamNode source, StreamNode target, int inputIndex, string? sideOutputTag, TypeInfo type, Func<StreamPartitioner>? partitioner)
    {
        Source = source;
        Target = target;
        InputIndex = inputIndex;
        SideOutputTag = sideOutputTag;
        Type = type;
        ExplicitPartitioner = partitioner;
    }

    public StreamNode Source { get; }
    public StreamNode Target { get; }

    /// <summary>Which input of the target (1 or 2) this edge feeds.</summary>
    public int InputIndex { get; }

    /// <summary>The side output this edge carries, or null for the main output.</summary>
    public string? SideOutputTag { get; }

    public TypeInfo Type { get; }

    /// <summary>The partitioner the user chose, or null for the default (forward if parallelism matches, else rebalance).</summary>
    public Func<StreamPartitioner>? ExplicitPartitioner { get; }

    /// <summary>The partitioner after defaults (set while building the job graph).</summary>
    public Func<StreamPartitioner> Partitioner { get; set; } = null!;

    /// <summary>The partitioner's kind after defaults.</summary>
    public string PartitionerKind { get; set; } = "";

    public bool IsPointwise { get; set; }

    public string Description => $"{Source.Description} -> {Target.Description} ({PartitionerKind}{(SideOutputTag is null ? "" : $", side output '{SideOutputTag}'")})";
}
