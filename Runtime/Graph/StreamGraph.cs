namespace DataflowCompiler.Graph;

/// <summary>The logical dataflow recorded by the fluent API, before chaining.</summary>
internal sealed class StreamGraph
{
    public List<StreamNode> Nodes { get; } = new();

    public StreamNode AddNode(StreamNode node)
    {
        Nodes.Add(node);
        return node;
    }

    public int NextId => Nodes.Count + 1;

    public static void Connect(StreamEdge edge)
    {
        edge.Source.OutEdges.Add(edge);
        edge.Target.InEdges.Add(edge);
    }
}
