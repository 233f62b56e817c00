using DataflowCompiler.State;

namespace DataflowCompiler.Functions;

/// <summary>What <see cref="ICheckpointedFunction.InitializeState"/> gets: the state stores and whether state was restored.</summary>
public sealed class FunctionInitializationContext
{
    /// <param name="isRestored">True when the subtask starts from a checkpoint or savepoint.</param>
    /// <param name="restoredCheckpointId">The id of the checkpoint restored from; null when <paramref name="isRestored"/> is false.</param>
    /// <param name="operatorStateStore">The subtask's operator state.</param>
    /// <param name="keyedStateStore">The keyed state of the operator, or null when it does not run on a keyed stream.</param>
    /// <exception cref="ArgumentException"><paramref name="restoredCheckpointId"/> disagrees with <paramref name="isRestored"/>.</exception>
    public FunctionInitializationContext(bool isRestored, long? restoredCheckpointId, IOperatorStateStore operatorStateStore, IKeyedStateStore? keyedStateStore)
    {
        ArgumentNullException.ThrowIfNull(operatorStateStore);
        if (isRestored != restoredCheckpointId.HasValue)
        {
            throw new ArgumentException(
                isRestored ? "A restored context needs the id of the checkpoint it restores." : "A context that is not restored has no restored checkpoint id.",
                nameof(restoredCheckpointId));
        }
        IsRestored = isRestored;
        RestoredCheckpointId = restoredCheckpointId;
        OperatorStateStore = operatorStateStore;
        KeyedStateStore = keyedStateStore;
    }

    /// <summary>True when the subtask starts from a checkpoint or savepoint; its operator state then holds the restored contents.</summary>
    public bool IsRestored { get; }

    /// <summary>The id of the checkpoint (or savepoint) restored from; null when <see cref="IsRestored"/> is false.</summary>
    public long? RestoredCheckpointId { get; }

    /// <summary>The subtask's operator state: list, union list and broadcast state.</summary>
    public IOperatorStateStore OperatorStateStore { get; }

    /// <summary>
    /// The operator's keyed state, or null when the function does not run on a keyed stream. Keyed state is scoped to the
    /// current key, so it is only usable while a record or timer of a key is processed, not here.
    /// </summary>
    public IKeyedStateStore? KeyedStateStore { get; }
}
