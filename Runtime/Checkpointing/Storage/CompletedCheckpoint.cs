namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>A completed checkpoint the <see cref="CompletedCheckpointStore"/> retains, with its <c>chk-N</c> directory.</summary>
internal sealed record CompletedCheckpoint(CheckpointMetadata Metadata, string Directory)
{
    public long CheckpointId => Metadata.CheckpointId;
}
