namespace DataflowCompiler.Sources;

/// <summary>
/// Reads the records of one source subtask. Called only from the task thread. After returning
/// <see cref="ReadStatus.NothingAvailable"/> the reader must invoke
/// <see cref="SourceReaderContext.SignalAvailable"/> (from any thread) once data may be there.
/// </summary>
public interface ISourceReader<T> : IDisposable
{
    /// <summary>Reads the next record if there is one.</summary>
    ReadStatus PollNext(out T record);
}
