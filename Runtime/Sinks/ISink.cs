namespace DataflowCompiler.Sinks;

/// <summary>A destination of records: a factory of one writer per parallel subtask.</summary>
public interface ISink<T>
{
    /// <summary>A short name for the sink operator ("Print", "TextFile", ...).</summary>
    string Name { get; }

    ISinkWriter<T> CreateWriter(SinkWriterContext context);
}
