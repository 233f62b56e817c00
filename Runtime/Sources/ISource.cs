namespace DataflowCompiler.Sources;

/// <summary>
/// A source of records (Flink's FLIP-27 shape, simplified): a factory of one reader per parallel
/// subtask. Readers are polled by the task's mailbox loop, so a source never blocks the task.
/// </summary>
public interface ISource<T>
{
    /// <summary>Bounded sources end; unbounded ones run until cancelled.</summary>
    Boundedness Boundedness { get; }

    /// <summary>The highest parallelism the source supports (1 for a non-parallel source).</summary>
    int MaxParallelism { get; }

    /// <summary>A short name for the source operator ("Collection", "TextFile", ...).</summary>
    string Name { get; }

    /// <summary>Creates the reader for one subtask.</summary>
    ISourceReader<T> CreateReader(SourceReaderContext context);
}
