using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// What <c>chk-N/_metadata</c> (or a savepoint's <c>_metadata</c>) records: every operator's state per subtask,
/// as handles to the files the tasks wrote. A checkpoint is complete once this is written (atomically).
/// </summary>
internal sealed record CheckpointMetadata(
    long CheckpointId,
    long TimestampMilliseconds,
    CheckpointKind Kind,
    IReadOnlyList<OperatorStateMetadata> Operators);

/// <summary>Whether the metadata belongs to a periodic checkpoint or a savepoint (self-contained, never incremental).</summary>
internal enum CheckpointKind
{
    Checkpoint = 0,
    Savepoint = 1,
}

/// <summary>
/// One operator of the job: its id (the user's <c>Uid</c>, or the id generated from the job graph), its name for
/// messages, and the parallelism and max parallelism it ran with.
/// </summary>
internal sealed record OperatorStateMetadata(
    string OperatorId,
    string Name,
    int Parallelism,
    int MaxParallelism,
    IReadOnlyList<OperatorSubtaskStateMetadata> Subtasks);

/// <summary>
/// One subtask of an operator. <paramref name="KeyedState"/> is the chain of keyed-state files, oldest first: a full
/// snapshot followed by the incremental deltas on top of it (empty for operators without keyed state).
/// <paramref name="OperatorState"/> holds everything else the subtask snapshotted (operator list/union/broadcast
/// state, timers, source position, pending sink transactions, in-flight data), or null when there is none.
/// </summary>
internal sealed record OperatorSubtaskStateMetadata(
    int Subtask,
    KeyGroupRange KeyGroups,
    IReadOnlyList<StateFileHandle> KeyedState,
    StateFileHandle? OperatorState);

/// <summary>
/// A file of a checkpoint or savepoint: its path relative to the directory holding the <c>_metadata</c> file
/// (checkpoints use <c>../shared/…</c> for files that later checkpoints may reference), and its exact size in
/// bytes, so a truncated file is detected before it is read.
/// </summary>
internal sealed record StateFileHandle(string RelativePath, long Size);
