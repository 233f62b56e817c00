using System.Text;

namespace DataflowCompiler.Graph;

/// <summary>
/// The stable signature of a chain, the key under which the generator stores a fused implementation.
/// Format (docs/architecture.md): operators head first as <c>Kind&lt;InputTypes→OutputType&gt;</c>,
/// joined by " -> "; a fan-out inside the chain lists the branches in brackets; the edges leaving the
/// chain follow "=>" as <c>partitioner&lt;Type&gt;</c>. It depends only on operator kinds, record types and
/// partitioners, never on names, ids or the process, so the same job gives the same signatures everywhere.
/// </summary>
internal static class ChainSignature
{
    public static string Compute(JobVertex vertex)
    {
        var builder = new StringBuilder();
        Append(vertex, vertex.Head, builder);
        var outs = vertex.Outputs.Select(e => $"{e.StreamEdge.PartitionerKind}<{e.StreamEdge.Type.DisplayName}>").ToList();
        if (outs.Count > 0)
        {
            builder.Append(" => ").Append(string.Join(", ", outs));
        }
        return builder.ToString();
    }

    private static void Append(JobVertex vertex, StreamNode node, StringBuilder builder)
    {
        builder.Append(node.Kind).Append('<');
        builder.Append(string.Join(",", node.InputTypes.Select(t => t.DisplayName)));
        builder.Append('→').Append(node.OutputType.DisplayName).Append('>');
        var chained = vertex.ChainedEdges.Where(e => e.Source == node).ToList();
        if (chained.Count == 1)
        {
            builder.Append(" -> ");
            Append(vertex, chained[0].Target, builder);
        }
        else if (chained.Count > 1)
        {
            builder.Append(" -> [");
            for (int i = 0; i < chained.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(" | ");
                }
                Append(vertex, chained[i].Target, builder);
            }
            builder.Append(']');
        }
    }
}
