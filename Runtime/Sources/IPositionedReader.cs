namespace DataflowCompiler.Sources;

/// <summary>
/// A reader whose read position can be saved and restored. Checkpointing snapshots
/// <see cref="Position"/> and, on recovery, seeks a fresh reader back to it, so a reader that
/// implements this resumes exactly after the last record it emitted before the snapshot.
/// </summary>
/// <remarks>
/// The meaning of the number is the reader's own (records emitted, a byte offset); it is only
/// ever handed back to a reader of the same source and subtask.
/// </remarks>
internal interface IPositionedReader
{
    /// <summary>Where the next poll reads from.</summary>
    long Position { get; }

    /// <summary>Moves to a position previously read from <see cref="Position"/>.</summary>
    void Seek(long position);
}
