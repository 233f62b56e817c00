using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Operators;

namespace DataflowCompiler.Graph;

/// <summary>Whether an operator may be chained with its neighbours (Flink's ChainingStrategy).</summary>
internal enum ChainingStrategy
{
    /// <summary>Chains with its predecessor and successors where the rules allow.</summary>
    Always,

    /// <summary>Starts a new chain but successors may chain to it.</summary>
    Head,

    /// <summary>Never chained.</summary>
    Never,
}

/// <summary>A logical operator of the stream graph, as the fluent API recorded it.</summary>
internal sealed class StreamNode
{
    public StreamNode(int id, string kind, string name, TypeInfo outputType, TypeInfo[] inputTypes, Func<StreamOperator> operatorFactory)
    {
        Id = id;
        Kind = kind;
        Name = name;
        OutputType = outputType;
        InputTypes = inputTypes;
        OperatorFactory = operatorFactory;
    }

    public int Id { get; }

    /// <summary>The operator kind used in chain signatures ("Map", "Filter", "Source", ...).</summary>
    public string Kind { get; }

    public string Name { get; set; }
    public string? Uid { get; set; }
    public int? Parallelism { get; set; }
    public int? MaxParallelism { get; set; }

    /// <summary>Highest parallelism the operator supports (1 for non-parallel sources).</summary>
    public int ParallelismLimit { get; set; } = int.MaxValue;

    public TypeInfo OutputType { get; }
    public TypeInfo[] InputTypes { get; }
    public Func<StreamOperator> OperatorFactory { get; }
    public ChainingStrategy Chaining { get; set; } = ChainingStrategy.Always;
    public string SlotSharingGroup { get; set; } = "default";
    public bool IsSource { get; init; }
    public bool IsSink { get; init; }

    /// <summary>The operator gives records timestamps (a source with a watermark strategy, a timestamp assigner).</summary>
    public bool AssignsTimestamps { get; init; }

    private bool? _carriesTimestamps;

    /// <summary>
    /// Whether the records this operator emits may carry timestamps: it assigns them or an upstream operator does.
    /// Edges out of such an operator prefix every record with its timestamp; other edges stay as they were.
    /// </summary>
    public bool CarriesTimestamps => _carriesTimestamps ??= AssignsTimestamps || InEdges.Any(e => e.Source.CarriesTimestamps);

    /// <summary>The key type for keyed operators, checked for a serializer when the job is built.</summary>
    public TypeInfo? KeyType { get; init; }

    /// <summary>The fusion site id the generated interceptor gave this operator (docs/fusion.md), and the user object its fused code needs.</summary>
    public string? FusionSite { get; set; }
    public object? FusionState { get; set; }

    /// <summary>For a keyed window node: its slice settings and whether a fused chain may run it (null for other nodes).</summary>
    public Windowing.Operators.FusableWindow? FusionWindow { get; init; }

    public List<StreamEdge> InEdges { get; } = new();
    public List<StreamEdge> OutEdges { get; } = new();

    /// <summary>Parallelism and max parallelism after defaults were applied (set while building the job graph).</summary>
    public int ResolvedParallelism { get; set; }
    public int ResolvedMaxParallelism { get; set; }

    /// <summary>How the operator is named in errors: its name, and its uid if it has one.</summary>
    public string Description => Uid is null ? $"'{Name}'" : $"'{Name}' (uid '{Uid}')";

    public override string ToString() => Description;
}
