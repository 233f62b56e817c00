using DataflowCompiler.State;

namespace DataflowCompiler.Windowing;

/// <summary>
/// The trigger context during <see cref="Trigger{T, W}.OnMerge"/>: the current window is the merge result
/// (Flink's Trigger.OnMergeContext).
/// </summary>
public abstract class OnMergeContext : TriggerContext
{
    /// <summary>
    /// Folds the reducing state of every merged window into the merge result's state with the descriptor's reduce
    /// function, and clears it in the merged windows.
    /// </summary>
    public abstract void MergePartitionedState<T>(ReducingStateDescriptor<T> descriptor);

    /// <summary>Appends the list state of every merged window to the merge result's list and clears it in the merged windows.</summary>
    public abstract void MergePartitionedState<T>(ListStateDescriptor<T> descriptor);
}
