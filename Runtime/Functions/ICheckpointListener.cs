namespace DataflowCompiler.Functions;

/// <summary>
/// Notified when checkpoints complete or are aborted (Flink's <c>CheckpointListener</c>). Implemented by functions
/// and sink writers that make effects visible only once a checkpoint is durable, such as two-phase-commit sinks.
/// </summary>
/// <remarks>
/// Notifications are best effort: one may be skipped (a later completion then covers the earlier checkpoint,
/// since a completed checkpoint n subsumes every checkpoint before it), and after a failure the notification of the
/// last checkpoint may never arrive — the restored subtask must then finish the work itself. Both methods run on the
/// task thread.
/// </remarks>
public interface ICheckpointListener
{
    /// <summary>Checkpoint <paramref name="checkpointId"/> completed: every subtask's state is durable and the metadata written.</summary>
    void NotifyCheckpointComplete(long checkpointId);

    /// <summary>Checkpoint <paramref name="checkpointId"/> was aborted and will never complete. Does nothing unless overridden.</summary>
    void NotifyCheckpointAborted(long checkpointId)
    {
    }
}
