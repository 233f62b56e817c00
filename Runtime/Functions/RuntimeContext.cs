using DataflowCompiler.State;

namespace DataflowCompiler.Functions;

/// <summary>
/// What a rich function knows about the subtask it runs in: its index, the parallelism, the task
/// name, keyed state (on keyed streams) and accumulators.
/// </summary>
public sealed class RuntimeContext
{
    private readonly Func<string, Counter> _counters;
    private readonly IKeyedStateStore? _keyedState;

    internal RuntimeContext(string taskName, string operatorName, int subtaskIndex, int parallelism, int maxParallelism,
        Func<string, Counter> counters, IKeyedStateStore? keyedState)
    {
        TaskName = taskName;
        OperatorName = operatorName;
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        MaxParallelism = maxParallelism;
        _counters = counters;
        _keyedState = keyedState;
    }

    /// <summary>The task's name, with the subtask as "(index+1/parallelism)".</summary>
    public string TaskName { get; }

    /// <summary>The name of the operator this function belongs to.</summary>
    public string OperatorName { get; }

    /// <summary>Zero-based index of this parallel subtask.</summary>
    public int SubtaskIndex { get; }

    /// <summary>Number of parallel subtasks of the operator.</summary>
    public int Parallelism { get; }

    /// <summary>The operator's max parallelism (number of key groups).</summary>
    public int MaxParallelism { get; }

    /// <summary>A job-wide counter; the values of all subtasks are summed in the job result.</summary>
    public Counter GetCounter(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _counters(name);
    }

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => Keyed(descriptor).GetValueState(descriptor);

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => Keyed(descriptor).GetListState(descriptor);

    public IMapState<TUK, TUV> GetMapState<TUK, TUV>(MapStateDescriptor<TUK, TUV> descriptor) => Keyed(descriptor).GetMapState(descriptor);

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => Keyed(descriptor).GetReducingState(descriptor);

    public IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor) =>
        Keyed(descriptor).GetAggregatingState(descriptor);

    private IKeyedStateStore Keyed(StateDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return _keyedState ?? throw new InvalidOperationException(
            $"Operator '{OperatorName}' asked for keyed state '{descriptor.Name}', but keyed state exists only on a keyed stream. " +
            "Call KeyBy(...) before this operator.");
    }
}
