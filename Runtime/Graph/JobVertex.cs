namespace DataflowCompiler.Graph;

/// <summary>
/// A chain of operators that runs as one task: the head and every operator chained to it (a tree
/// when a chained operator fans out). Records pass between them by direct calls.
/// </summary>
internal sealed class JobVertex
{
    public JobVertex(int id, StreamNode head)
    {
        Id = id;
        Head = head;
    }

    public int Id { get; }
    public StreamNode Head { get; }

    /// <summary>The chained operators in order: head first, each operator after its chained predecessor.</summary>
    public List<StreamNode> Operators { get; } = new();

    /// <summary>Edges inside the chain (direct calls).</summary>
    public List<StreamEdge> ChainedEdges { get; } = new();

    /// <summary>Edges that enter the chain from other vertices, in input-gate order.</summary>
    public List<JobEdge> Inputs { get; } = new();

    /// <summary>Edges that leave the chain, one result partition each.</summary>
    public List<JobEdge> Outputs { get; } = new();

    public int Parallelism => Head.ResolvedParallelism;
    public int MaxParallelism => Head.ResolvedMaxParallelism;

    /// <summary>"Map -> Filter -> Sink: Print", as Flink names chained tasks.</summary>
    public string Name => string.Join(" -> ", Operators.Select(o => o.Name));

    /// <summary>The chain's stable signature (docs/architecture.md): what the generator keys fused code on.</summary>
    public string Signature { get; set; } = "";

    public override string ToString() => Name;
}
