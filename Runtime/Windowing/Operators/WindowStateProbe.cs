using System.Collections.Concurrent;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// A test hook: what each subtask of a window operator still holds when its input ends (after the final watermark
/// fired every event-time timer). Internal; set through <c>WindowedStream.WithStateProbe</c>.
/// </summary>
internal sealed class WindowStateProbe
{
    private readonly ConcurrentQueue<(int Subtask, long StateEntries, int EventTimers, int ProcessingTimers, long LateDropped)> _reports = new();

    /// <summary>One report per subtask that finished.</summary>
    public IReadOnlyCollection<(int Subtask, long StateEntries, int EventTimers, int ProcessingTimers, long LateDropped)> Reports => _reports;

    private int _sliceTableSubtasks;

    /// <summary>Subtasks that ran the window on a slice table (<see cref="SliceTableWindowOperator{TKey, TIn, TAcc, TOut}"/>).</summary>
    public int SliceTableSubtasks => Volatile.Read(ref _sliceTableSubtasks);

    public void ReportSliceTable() => Interlocked.Increment(ref _sliceTableSubtasks);

    public void Report(int subtask, long stateEntries, int eventTimers, int processingTimers, long lateDropped) =>
        _reports.Enqueue((subtask, stateEntries, eventTimers, processingTimers, lateDropped));
}
