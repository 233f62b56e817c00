using DataflowCompiler.Graph;

namespace DataflowCompiler.Cluster;

/// <summary>
/// How a job edge's subtasks connect (DESIGN §3): all-to-all for hash, rebalance, shuffle,
/// broadcast, global and custom; pointwise for forward and rescale, with Flink's ranges.
/// </summary>
internal static class ExecutionEdges
{
    /// <summary>Every (producer subtask, subpartition, consumer subtask) connection of the edge.</summary>
    public static List<(int Producer, int Subpartition, int Consumer)> Connections(JobEdge edge)
    {
        int producers = edge.Source.Parallelism;
        int consumers = edge.Target.Parallelism;
        var result = new List<(int, int, int)>();
        if (!edge.StreamEdge.IsPointwise)
        {
            for (int p = 0; p < producers; p++)
            {
                for (int c = 0; c < consumers; c++)
                {
                    result.Add((p, c, c));
                }
            }
        }
        else if (producers == consumers)
        {
            for (int i = 0; i < producers; i++)
            {
                result.Add((i, 0, i));
            }
        }
        else if (producers > consumers)
        {
            for (int c = 0; c < consumers; c++)
            {
                int start = c * producers / consumers;
                int end = (c + 1) * producers / consumers;
                for (int p = start; p < end; p++)
                {
                    result.Add((p, 0, c));
                }
            }
        }
        else
        {
            for (int p = 0; p < producers; p++)
            {
                int start = (p * consumers + producers - 1) / producers;
                int end = ((p + 1) * consumers + producers - 1) / producers;
                for (int c = start; c < end; c++)
                {
                    result.Add((p, c - start, c));
                }
            }
        }
        return result;
    }
}
