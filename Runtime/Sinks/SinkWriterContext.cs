namespace DataflowCompiler.Sinks;

/// <summary>What a sink writer knows about the subtask it runs in.</summary>
public sealed class SinkWriterContext
{
    public SinkWriterContext(int subtaskIndex, int parallelism, string taskName)
    {
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        TaskName = taskName;
    }

    public int SubtaskIndex { get; }
    public int Parallelism { get; }
    public string TaskName { get; }
}
