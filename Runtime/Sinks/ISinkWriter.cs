namespace DataflowCompiler.Sinks;

/// <summary>Writes the records of one sink subtask. Called only from the task thread.</summary>
public interface ISinkWriter<T> : IDisposable
{
    void Write(T record);

    /// <summary>Makes written records durable or visible; <paramref name="endOfInput"/> is true for the last call of a bounded job.</summary>
    void Flush(bool endOfInput);
}
