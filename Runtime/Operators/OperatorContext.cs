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
        TaskTimeServices? time = null)
    {
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

    /// <summary>Creates the keyed state backend of a keyed operator over this subtask's key groups.</summary>
    public IKeyedStateBackend<TKey> CreateKeyedBackend<TKey>() =>
        new BinaryKeyedStateBackend<TKey>(OperatorName, KeyGroupRange, MaxParallelism, ManagedMemory, Serializers);

    public RuntimeContext CreateRuntimeContext(IKeyedStateStore? keyedState) =>
        new(TaskName, OperatorName, SubtaskIndex, Parallelism, MaxParallelism, _counters, keyedState);
}
