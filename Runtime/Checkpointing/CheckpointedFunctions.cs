using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// The checkpoint hooks of the user objects of one operator subtask — its function and, for a sink, its writer:
/// <see cref="ICheckpointedFunction"/> gets its operator state (restored and redistributed when the job restores)
/// and snapshots into it; <see cref="ICheckpointListener"/> hears of completed and aborted checkpoints.
/// Used by the interpreted operators and by fused chains alike; everything runs on the task thread.
/// </summary>
internal sealed class CheckpointedFunctions(string operatorName, SerializerRegistry serializers, OperatorRestoreState? restore,
    int subtask, int parallelism, Action<Action> guard)
{
    private readonly List<object> _objects = [];
    private OperatorStateBackend? _operatorState;

    /// <summary>Registers a user object (function or sink writer) and initializes its state if it is checkpointed.</summary>
    public void Add(object? userObject, IKeyedStateStore? keyedState = null)
    {
        if (userObject is null || _objects.Contains(userObject))
        {
            return;
        }
        _objects.Add(userObject);
        if (userObject is ICheckpointedFunction checkpointed)
        {
            var store = OperatorState;
            var context = new FunctionInitializationContext(restore is not null, restore?.CheckpointId, store, keyedState);
            guard(() => checkpointed.InitializeState(context));
        }
    }

    /// <summary>Lets every checkpointed object snapshot, then returns the operator state's bytes (null when there is none).</summary>
    public byte[]? Snapshot(CheckpointBarrier barrier)
    {
        var context = new FunctionSnapshotContext(barrier.CheckpointId, barrier.TimestampMilliseconds);
        foreach (var userObject in _objects)
        {
            if (userObject is ICheckpointedFunction checkpointed)
            {
                guard(() => checkpointed.SnapshotState(context));
            }
        }
        return _operatorState?.Snapshot() is { States.Count: > 0 } data ? data.ToArray() : null;
    }

    public void NotifyComplete(long checkpointId)
    {
        foreach (var userObject in _objects)
        {
            if (userObject is ICheckpointListener listener)
            {
                guard(() => listener.NotifyCheckpointComplete(checkpointId));
            }
        }
    }

    public void NotifyAborted(long checkpointId)
    {
        foreach (var userObject in _objects)
        {
            if (userObject is ICheckpointListener listener)
            {
                guard(() => listener.NotifyCheckpointAborted(checkpointId));
            }
        }
    }

    private OperatorStateBackend OperatorState
    {
        get
        {
            if (_operatorState is null)
            {
                _operatorState = new OperatorStateBackend(operatorName, serializers);
                if (restore is not null)
                {
                    var old = restore.Sections
                        .Select(s => s.TryGetValue(SnapshotSections.OperatorState, out var bytes) ? OperatorStateSnapshotData.Read(bytes) : OperatorStateSnapshotData.Empty)
                        .ToList();
                    _operatorState.Restore(OperatorStateRedistributor.Redistribute(old, parallelism)[subtask]);
                }
            }
            return _operatorState;
        }
    }
}
