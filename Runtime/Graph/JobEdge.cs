namespace DataflowCompiler.Graph;

/// <summary>A network connection between two chains, carrying one stream edge.</summary>
internal sealed class JobEdge(JobVertex source, JobVertex target, StreamEdge streamEdge)
{
    public JobVertex Source { get; } = source;
    public JobVertex Target { get; } = target;
    public StreamEdge StreamEdge { get; } = streamEdge;
}
