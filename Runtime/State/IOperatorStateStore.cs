namespace DataflowCompiler.State;

/// <summary>
/// Hands out the operator state of one subtask: state that belongs to the subtask rather than to a key (Flink's
/// <c>OperatorStateStore</c>). The same name always gives the same state object; the three kinds differ in how the
/// state is redistributed when a job is restored at another parallelism. Names are unique per operator across the
/// three kinds: asking for a name with another kind throws.
/// </summary>
public interface IOperatorStateStore
{
    /// <summary>
    /// A list whose elements are split among the subtasks on restore (even-split redistribution): the lists of all old
    /// subtasks are concatenated and cut into contiguous parts of nearly equal size, one per new subtask. Every element
    /// is restored exactly once. Use it for state that can be divided, such as the partitions a source reads.
    /// </summary>
    IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor);

    /// <summary>
    /// A list of which every subtask gets the union on restore: the elements of all old subtasks, in subtask order.
    /// The function picks what it needs (for example by its subtask index) and should clear the rest.
    /// </summary>
    IListState<T> GetUnionListState<T>(ListStateDescriptor<T> descriptor);

    /// <summary>
    /// A map that every subtask holds a copy of; the same updates on every subtask keep the copies equal (the
    /// broadcast pattern). On restore new subtask i gets the copy of old subtask i mod old parallelism, so scaling up
    /// or down needs no merging.
    /// </summary>
    IBroadcastState<TK, TV> GetBroadcastState<TK, TV>(MapStateDescriptor<TK, TV> descriptor)
        where TK : notnull;
}
