using DataflowCompiler.Functions;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>What the task gives an operator: who it is, where it runs, its memory and its accumulators.</summary>
internal sealed class OperatorContext
{
    private readonly Func<string, Counter> _counters;

    public OperatorContext(string operatorName, string taskName, int subtaskIndex, int parallelism, int maxParallelism,
        SerializerRegistry serializers, MemorySegmentPool managedMemory, Func<string, Counter> counters, CancellationToken cancellation,
        TaskTimeServices? time = null, string? operatorId = null, Checkpointing.OperatorRestoreState? restore = null)
    {
        OperatorId = operatorId ?? operatorName;
        Restore = restore;
        Time = time ?? new TaskTimeServices(TimeProvider.System, TaskTimeServices.DefaultAutoWatermarkInterval);
        OperatorName = operatorName;
        TaskName = taskName;
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        MaxParallelism = maxParallelism;
        Serializers = serializers;
        ManagedMemory = managedMemory;
        _counters = counters;
        Cancellation = cancellation;
        KeyGroupRange = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtaskIndex);
    }

    public string OperatorName { get; }
    public string TaskName { get; }
    public int SubtaskIndex { get; }
    public int Parallelism { get; }
    public int MaxParallelism { get; }
    public SerializerRegistry Serializers { get; }
    public MemorySegmentPool ManagedMemory { get; }
    public CancellationToken Cancellation { get; }

    /// <summary>The task's record timestamp, processing-time timers, clock and watermark interval.</summary>
    public TaskTimeServices Time { get; }

    /// <summary>The key groups this subtask owns when the operator is keyed.</summary>
    public KeyGroupRange KeyGroupRange { get; }

    public Counter GetCounter(string name) => _counters(name);

    /// <summary>The operator's id in checkpoints and savepoints: its uid, or the id generated from the job graph.</summary>
    public string OperatorId { get; }

    /// <summary>Whether the job takes periodic checkpoints (two-phase-commit sinks then commit only on checkpoints).</summary>
    public bool CheckpointingEnabled { get; init; }

    /// <summary>What the operator restores from a checkpoint or savepoint; null on a fresh start.</summary>
    public Checkpointing.OperatorRestoreState? Restore { get; }

    /// <summary>The keyed state backend the operator created (snapshotted with the operator), or null.</summary>
    public Checkpointing.ISnapshotableKeyedBackend? KeyedBackend { get; private set; }

    /// <summary>The timer services the operator created (snapshotted with the operator), or null.</summary>
    public Checkpointing.ITimerSnapshots? TimeServices { get; private set; }

    /// <summary>Creates the keyed state backend of a keyed operator over this subtask's key groups, restored if the operator restores.</summary>
    public IKeyedStateBackend<TKey> CreateKeyedBackend<TKey>()
    {
        var backend = new BinaryKeyedStateBackend<TKey>(OperatorName, KeyGroupRange, MaxParallelism, ManagedMemory, Serializers);
        if (Restore is { KeyedChains.Count: > 0 } restore)
        {
            ((Checkpointing.ISnapshotableKeyedBackend)backend).Restore(restore.KeyedChains);
        }
        KeyedBackend = (Checkpointing.ISnapshotableKeyedBackend)backend;
        return backend;
    }

    /// <summary>Creates the timer services of a keyed operator, restored if the operator restores.</summary>
    public TimeServiceManager<TKey> CreateTimeServices<TKey>(IKeyedStateBackend<TKey> backend)
    {
        var services = new TimeServiceManager<TKey>(backend, Time.ProcessingTime);
        if (Restore is { } restore)
        {
            Checkpointing.TimerSnapshots.Restore(services, restore.Sections.Select(s => s.GetValueOrDefault(Checkpointing.SnapshotSections.Timers)).OfType<byte[]>(), KeyGroupRange);
        }
        TimeServices = services;
        return services;
    }

    public RuntimeContext CreateRuntimeContext(IKeyedStateStore? keyedState) =>
        new(TaskName, OperatorName, SubtaskIndex, Parallelism, MaxParallelism, _counters, keyedState);
}
