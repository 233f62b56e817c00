using DataflowCompiler.State;

namespace DataflowCompiler.Windowing;

/// <summary>
/// What a trigger may use while it decides: time, timers and per-window state, all scoped to the current key
/// and window (Flink's Trigger.TriggerContext).
/// </summary>
public abstract class TriggerContext
{
    /// <summary>The current processing time.</summary>
    public abstract long CurrentProcessingTime { get; }

    /// <summary>The current event-time watermark (<see cref="long.MinValue"/> before the first one).</summary>
    public abstract long CurrentWatermark { get; }

    /// <summary>Asks for <see cref="Trigger{T, W}.OnEventTime"/> once the watermark reaches <paramref name="time"/>.</summary>
    public abstract void RegisterEventTimeTimer(long time);

    /// <summary>Asks for <see cref="Trigger{T, W}.OnProcessingTime"/> once processing time reaches <paramref name="time"/>.</summary>
    public abstract void RegisterProcessingTimeTimer(long time);

    /// <summary>Deletes an event-time timer of the current key and window (no-op when there is none).</summary>
    public abstract void DeleteEventTimeTimer(long time);

    /// <summary>Deletes a processing-time timer of the current key and window (no-op when there is none).</summary>
    public abstract void DeleteProcessingTimeTimer(long time);

    /// <summary>Keyed state scoped to the current key and window (the returned object is re-scoped on every call).</summary>
    protected abstract IKeyedStateStore PartitionedStateStore { get; }

    /// <summary>Value state of the current key and window.</summary>
    public IValueState<T> GetPartitionedState<T>(ValueStateDescriptor<T> descriptor) => PartitionedStateStore.GetValueState(descriptor);

    /// <summary>Reducing state of the current key and window.</summary>
    public IReducingState<T> GetPartitionedState<T>(ReducingStateDescriptor<T> descriptor) => PartitionedStateStore.GetReducingState(descriptor);

    /// <summary>List state of the current key and window.</summary>
    public IListState<T> GetPartitionedState<T>(ListStateDescriptor<T> descriptor) => PartitionedStateStore.GetListState(descriptor);

    /// <summary>Map state of the current key and window.</summary>
    public IMapState<TUK, TUV> GetPartitionedState<TUK, TUV>(MapStateDescriptor<TUK, TUV> descriptor) => PartitionedStateStore.GetMapState(descriptor);

    /// <summary>Aggregating state of the current key and window.</summary>
    public IAggregatingState<TIn, TOut> GetPartitionedState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor) =>
        PartitionedStateStore.GetAggregatingState(descriptor);
}
