namespace DataflowCompiler.Sources;

/// <summary>What one poll of a <see cref="ISourceReader{T}"/> produced.</summary>
public enum ReadStatus
{
    /// <summary>A record was read.</summary>
    Record,

    /// <summary>Nothing right now; the reader calls its availability callback when there is.</summary>
    NothingAvailable,

    /// <summary>The reader is done for good.</summary>
    EndOfInput,
}
