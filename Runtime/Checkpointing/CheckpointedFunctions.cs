using DataflowCompiler.Operators;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// Calls the checkpoint hooks of user functions (and sink writers): initialize and snapshot operator state,
/// completion and abort notifications.
/// </summary>
internal static class CheckpointedFunctions
{
    // TEMPORARY until the operator-state branch merges: no function hooks yet.
    public static void Initialize(StreamOperator op, OperatorContext context, object? function)
    {
    }

    public static void Snapshot(StreamOperator op, OperatorContext context, object? function, CheckpointBarrier barrier)
    {
    }

    public static void SnapshotOperatorState(OperatorContext context, IDictionary<string, byte[]> sections)
    {
    }

    public static void NotifyComplete(StreamOperator op, object? function, long checkpointId)
    {
    }

    public static void NotifyAborted(StreamOperator op, object? function, long checkpointId)
    {
    }
}
