namespace DataflowCompiler.Functions;

/// <summary>
/// A function with state that is not keyed (Flink's <c>CheckpointedFunction</c>): it keeps it in operator state
/// (list, union list or broadcast state from <see cref="FunctionInitializationContext.OperatorStateStore"/>) and may
/// also use keyed state when it runs on a keyed stream.
/// </summary>
/// <remarks>
/// Both methods run on the task thread, never at the same time as the record-processing methods.
/// <see cref="InitializeState"/> runs once per subtask attempt before the first record (also when there is nothing to
/// restore); <see cref="SnapshotState"/> runs when checkpoint barrier n reached the operator, before it is forwarded.
/// </remarks>
public interface ICheckpointedFunction
{
    /// <summary>
    /// Copies whatever the function keeps in fields into its operator state, so the checkpoint
    /// <see cref="FunctionSnapshotContext.CheckpointId"/> holds it. State objects obtained in <see cref="InitializeState"/>
    /// are snapshotted after this returns.
    /// </summary>
    void SnapshotState(FunctionSnapshotContext context);

    /// <summary>
    /// Obtains the state objects (the same name always gives the same state) and, when
    /// <see cref="FunctionInitializationContext.IsRestored"/> is true, reads the restored contents back into fields.
    /// </summary>
    void InitializeState(FunctionInitializationContext context);
}
