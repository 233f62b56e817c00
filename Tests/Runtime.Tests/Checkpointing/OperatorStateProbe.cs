using System.Collections.Concurrent;
using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// A pass-through map with operator state of the three kinds. Not restored, subtask i fills its list state with
/// "list-i-0" … "list-i-(4+i)", its union state with "union-i" and its broadcast state with {rule: "v1"} at its first
/// snapshot; restored, it keeps what it got and reports it to <see cref="Restored"/> (shared by all subtask copies).
/// </summary>
public sealed class OperatorStateProbe : RichFunction, IMapFunction<string, string>, ICheckpointedFunction
{
    private IListState<string> _list = null!;
    private IListState<string> _union = null!;
    private IBroadcastState<string, string> _broadcast = null!;
    private bool _filled;

    public ConcurrentBag<(string[] List, string[] Union, KeyValuePair<string, string>[] Broadcast)> Restored { get; } = [];

    /// <summary>The checkpoint (or savepoint) id every restored subtask started from.</summary>
    public ConcurrentBag<long> RestoredCheckpointIds { get; } = [];

    public string Map(string value) => value;

    public void InitializeState(FunctionInitializationContext context)
    {
        _list = context.OperatorStateStore.GetListState(new ListStateDescriptor<string>("list"));
        _union = context.OperatorStateStore.GetUnionListState(new ListStateDescriptor<string>("union"));
        _broadcast = context.OperatorStateStore.GetBroadcastState(new MapStateDescriptor<string, string>("broadcast"));
        _filled = context.IsRestored;
        if (context.IsRestored)
        {
            RestoredCheckpointIds.Add(context.RestoredCheckpointId!.Value);
            Restored.Add(([.. _list.Get()], [.. _union.Get()], [.. _broadcast.Entries().OrderBy(e => e.Key, StringComparer.Ordinal)]));
        }
    }

    public void SnapshotState(FunctionSnapshotContext context)
    {
        if (!_filled)
        {
            int subtask = RuntimeContext.SubtaskIndex;
            _list.Update(Enumerable.Range(0, 5 + subtask).Select(k => $"list-{subtask}-{k}"));
            _union.Update([$"union-{subtask}"]);
            _broadcast.Put("rule", "v1");
            _filled = true;
        }
    }
}
