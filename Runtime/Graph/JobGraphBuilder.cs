using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Graph;

/// <summary>
/// Turns the stream graph into a job graph: applies defaults (parallelism, max parallelism,
/// partitioners), validates the graph with errors that name the operator and the fix, and chains
/// operators by Flink's rules (DESIGN §3).
/// </summary>
internal static class JobGraphBuilder
{
    public static JobGraph Build(string jobName, StreamGraph graph, StreamConfiguration configuration, SerializerRegistry serializers)
    {
        var nodes = TopologicalOrder(graph);
        ValidateStructure(nodes);
        ResolveParallelism(nodes, configuration);
        ValidateSerializers(nodes, serializers);
        ResolvePartitioners(nodes);
        var vertices = Chain(nodes, configuration.ChainingEnabled);
        ValidateNetworkTypes(vertices, serializers);
        return new JobGraph(jobName, vertices);
    }

    private static List<StreamNode> TopologicalOrder(StreamGraph graph)
    {
        // Nodes are added in creation order and edges always point from older to newer nodes.
        return graph.Nodes.OrderBy(n => n.Id).ToList();
    }

    private static void ValidateStructure(List<StreamNode> nodes)
    {
        if (!nodes.Any(n => n.IsSink))
        {
            throw new InvalidOperationException(
                "The job has no sink, so it would compute nothing visible. Add SinkTo(...), Print(), WriteAsText(...) or CollectToList() to a stream.");
        }
        var uids = new Dictionary<string, StreamNode>();
        foreach (var node in nodes)
        {
            if (node.Uid is { } uid)
            {
                if (uids.TryGetValue(uid, out var other))
                {
                    throw new InvalidOperationException($"Operators {other.Description} and {node.Description} have the same uid '{uid}'. Uids must be unique within a job.");
                }
                uids[uid] = node;
            }
            if (!node.IsSource && node.InEdges.Count == 0)
            {
                throw new InvalidOperationException($"Operator {node.Description} has no input.");
            }
            foreach (var edge in node.OutEdges.Where(e => e.SideOutputTag is { } tag && !IsSideOutputCapable(e.Source)))
            {
                throw new InvalidOperationException(
                    $"Side output '{edge.SideOutputTag}' was requested from {edge.Source.Description}, which cannot emit side outputs. Side outputs come from Process functions, windows (late data) and interval joins.");
            }
        }
    }

    private static bool IsSideOutputCapable(StreamNode node) => node.Kind is "Process" or "KeyedProcess" or "CoProcess" or "KeyedCoProcess" or "Window" or "IntervalJoin";

    private static void ResolveParallelism(List<StreamNode> nodes, StreamConfiguration configuration)
    {
        foreach (var node in nodes)
        {
            int parallelism = node.Parallelism ?? Math.Min(configuration.Parallelism, node.ParallelismLimit);
            if (parallelism > node.ParallelismLimit)
            {
                throw new InvalidOperationException($"Operator {node.Description} supports parallelism up to {node.ParallelismLimit}, but {parallelism} was set.");
            }
            int maxParallelism = node.MaxParallelism ?? configuration.MaxParallelism ?? KeyGroupRangeAssignment.ComputeDefaultMaxParallelism(parallelism);
            if (parallelism > maxParallelism)
            {
                throw new InvalidOperationException(
                    $"Operator {node.Description} has parallelism {parallelism}, above its max parallelism {maxParallelism}. " +
                    "Lower the parallelism or raise the max parallelism (SetMaxParallelism or StreamConfiguration.MaxParallelism).");
            }
            node.ResolvedParallelism = parallelism;
            node.ResolvedMaxParallelism = maxParallelism;
        }
    }

    private static void ResolvePartitioners(List<StreamNode> nodes)
    {
        foreach (var edge in nodes.SelectMany(n => n.OutEdges))
        {
            var factory = edge.ExplicitPartitioner ?? DefaultPartitioner(edge);
            Partitioning.StreamPartitioner probe;
            try
            {
                probe = factory();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"The partitioning of the edge {edge.Source.Description} -> {edge.Target.Description} cannot be set up: {e.Message}", e);
            }
            if (probe.Kind == "forward" && edge.Source.ResolvedParallelism != edge.Target.ResolvedParallelism)
            {
                throw new InvalidOperationException(
                    $"Forward partitioning from {edge.Source.Description} (parallelism {edge.Source.ResolvedParallelism}) to {edge.Target.Description} " +
                    $"(parallelism {edge.Target.ResolvedParallelism}) needs equal parallelism. Use Rebalance() or Rescale(), or make the parallelism equal.");
            }
            edge.Partitioner = factory;
            edge.PartitionerKind = probe.Kind;
            edge.IsPointwise = probe.IsPointwise;
        }
    }

    private static Func<Partitioning.StreamPartitioner> DefaultPartitioner(StreamEdge edge) =>
        edge.Type.CreateDefaultPartitioner(edge.Source.ResolvedParallelism == edge.Target.ResolvedParallelism);

    private static void ValidateSerializers(List<StreamNode> nodes, SerializerRegistry serializers)
    {
        foreach (var node in nodes)
        {
            if (node.KeyType is { } keyType && !keyType.HasSerializer(serializers))
            {
                throw new InvalidOperationException(
                    $"Operator {node.Description} is keyed by '{keyType.DisplayName}', which has no serializer; keys are hashed over their serialized bytes. " +
                    $"Register one with env.RegisterSerializer<{keyType.Type.Name}>(...), or key by a supported type (primitives, string, tuples, ...).");
            }
        }
    }

    private static void ValidateNetworkTypes(List<JobVertex> vertices, SerializerRegistry serializers)
    {
        foreach (var edge in vertices.SelectMany(v => v.Outputs))
        {
            var streamEdge = edge.StreamEdge;
            if (!streamEdge.Type.HasSerializer(serializers))
            {
                throw new InvalidOperationException(
                    $"Operator {streamEdge.Source.Description} sends records of type '{streamEdge.Type.DisplayName}' to {streamEdge.Target.Description} " +
                    $"over a {streamEdge.PartitionerKind} edge between tasks, and there is no serializer for '{streamEdge.Type.DisplayName}'. " +
                    $"Register one with env.RegisterSerializer<{streamEdge.Type.Type.Name}>(...), or keep both operators in one chain (forward edge, equal parallelism).");
            }
        }
    }

    /// <summary>Flink's rule: chain when the target has one input, the edge is forward, parallelism and slot sharing group match, and neither operator forbids it.</summary>
    internal static bool IsChainable(StreamEdge edge, bool chainingEnabled) =>
        chainingEnabled
        && edge.Target.InEdges.Count == 1
        && edge.PartitionerKind == "forward"
        && edge.Source.ResolvedParallelism == edge.Target.ResolvedParallelism
        && edge.Source.SlotSharingGroup == edge.Target.SlotSharingGroup
        && edge.Source.Chaining != ChainingStrategy.Never
        && edge.Target.Chaining == ChainingStrategy.Always
        && !edge.Target.IsSource;

    private static List<JobVertex> Chain(List<StreamNode> nodes, bool chainingEnabled)
    {
        var vertexOf = new Dictionary<StreamNode, JobVertex>();
        var vertices = new List<JobVertex>();
        foreach (var node in nodes)
        {
            if (node.InEdges.Count == 1 && IsChainable(node.InEdges[0], chainingEnabled))
            {
                var vertex = vertexOf[node.InEdges[0].Source];
                vertex.Operators.Add(node);
                vertex.ChainedEdges.Add(node.InEdges[0]);
                vertexOf[node] = vertex;
            }
            else
            {
                var vertex = new JobVertex(vertices.Count + 1, node);
                vertex.Operators.Add(node);
                vertices.Add(vertex);
                vertexOf[node] = vertex;
            }
        }
        foreach (var node in nodes)
        {
            foreach (var edge in node.InEdges)
            {
                var source = vertexOf[edge.Source];
                var target = vertexOf[node];
                if (source == target && target.ChainedEdges.Contains(edge))
                {
                    continue;
                }
                var jobEdge = new JobEdge(source, target, edge);
                source.Outputs.Add(jobEdge);
                target.Inputs.Add(jobEdge);
            }
        }
        foreach (var vertex in vertices)
        {
            vertex.Signature = ChainSignature.Compute(vertex);
        }
        return vertices;
    }
}
