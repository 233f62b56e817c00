namespace DataflowCompiler.Graph;

/// <summary>The chained dataflow: vertices (chains) and the network edges between them, in topological order.</summary>
internal sealed class JobGraph(string name, IReadOnlyList<JobVertex> vertices)
{
    public Guid JobId { get; } = Guid.NewGuid();
    public string Name { get; } = name;
    public IReadOnlyList<JobVertex> Vertices { get; } = vertices;
}
