using DataflowCompiler.Checkpointing;
using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Operators;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The window node's operator for event-time tumbling and sliding windows with a reduce or aggregate function
/// (optionally followed by a process window function), the default trigger, no evictor and no allowed lateness,
/// on keys whose serializer is <see cref="UnmanagedSerializer{T}"/>: a <see cref="WindowSliceTable{TKey, TIn, TAcc, TAgg}"/>
/// instead of the keyed state backend and timers. An element is one probe of the table; a watermark fires the due
/// windows in end order before it is forwarded; the end of input (watermark <see cref="long.MaxValue"/>) fires
/// the rest. Late elements go to the late-data side output or are counted, as on the generic path.
/// <para>
/// A process window function still gets its keyed state (<c>WindowState</c>, <c>GlobalState</c>) from a binary
/// keyed backend whose current key is set only when a window fires; its snapshot is nested in the operator's keyed
/// snapshot next to the table's (both full).
/// </para>
/// </summary>
internal sealed class SliceTableWindowOperator<TKey, TIn, TAcc, TOut>(
    string windowName, long size, long slide, long offset, AccumulatorContents<TIn, TAcc, TimeWindow> contents,
    IInternalWindowFunction<TAcc, TOut, TKey, TimeWindow> function, OutputTag<TIn>? lateDataTag, IReadOnlyList<object> userFunctions,
    Func<TIn, TKey> keySelector, WindowStateProbe? probe)
    : OneInputOperator<TIn, TOut>, IWindowOperatorContext<TKey, TimeWindow, TOut>
{
    private WindowSliceTable<TKey, TIn, TAcc, ContentsSliceAggregator<TIn, TAcc>> _table = null!;
    private BinaryKeyedStateBackend<TKey> _backend = null!;
    private WindowFunctionContext<TKey, TimeWindow> _functionContext = null!;
    private TimestampedCollector<TOut> _collector = null!;
    private bool _setKeyOnFire;

    /// <summary>Elements that arrived after all their windows fired and had no late-data side output.</summary>
    public long NumLateRecordsDropped { get; private set; }

    /// <summary>The table (tests look at its ring and overflow).</summary>
    internal WindowSliceTable<TKey, TIn, TAcc, ContentsSliceAggregator<TIn, TAcc>> Table => _table;

    IKeyedStateBackend<TKey> IWindowOperatorContext<TKey, TimeWindow>.KeyedStateBackend => _backend;

    long IWindowOperatorContext<TKey, TimeWindow>.CurrentWatermark => CurrentWatermark;

    long IWindowOperatorContext<TKey, TimeWindow>.CurrentProcessingTime => Context.Time.ProcessingTime.CurrentProcessingTime;

    public override void Open()
    {
        var context = Context;
        if (!RawKey<TKey>.IsRaw(context.Serializers))
        {
            throw new InvalidOperationException(
                $"window operator '{Name}': the slice table needs a raw-bytes key serializer for '{typeof(TKey)}', but the task's registry has another one.");
        }
        var accumulatorSerializer = contents.Serializer;
        if (accumulatorSerializer is null && !context.Serializers.TryGet(out accumulatorSerializer))
        {
            throw new SerializationException(
                $"operator '{Name}': no serializer for the window accumulator type '{typeof(TAcc).FullName}'. Register one with SerializerRegistry.Register<{typeof(TAcc).Name}>(...).");
        }
        _backend = new BinaryKeyedStateBackend<TKey>(context.OperatorName, context.KeyGroupRange, context.MaxParallelism, context.ManagedMemory, context.Serializers);
        _table = new WindowSliceTable<TKey, TIn, TAcc, ContentsSliceAggregator<TIn, TAcc>>(
            Name, size, slide, offset, new ContentsSliceAggregator<TIn, TAcc>(contents), accumulatorSerializer, context.KeyGroupRange, context.MaxParallelism);
        if (context.Restore is { KeyedChains.Count: > 0 } restore)
        {
            Restore(restore.KeyedChains);
        }
        _functionContext = new WindowFunctionContext<TKey, TimeWindow>(this, TimeWindowSerializer.Instance);
        _collector = new TimestampedCollector<TOut>(((IWindowOperatorContext<TKey, TimeWindow, TOut>)this).Emit);
        var runtimeContext = context.CreateRuntimeContext(_backend);
        foreach (var userFunction in userFunctions)
        {
            if (userFunction is IRichFunction rich)
            {
                // A rich function (the process window function) may use keyed state: make its key current when firing.
                _setKeyOnFire = true;
                Guard(() => rich.Open(runtimeContext));
            }
        }
        base.Open();
    }

    public override void ProcessElement(TIn record)
    {
        RecordsIn++;
        try
        {
            long timestamp = RecordTimestamp.Value;
            WindowArguments.CheckTimestamp(timestamp, windowName);
            if (_table.Add(keySelector(record), record, timestamp) == SliceAddResult.Late)
            {
                if (lateDataTag is not null)
                {
                    Output.CollectSide(lateDataTag, record);
                }
                else
                {
                    NumLateRecordsDropped++;
                }
            }
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    protected override void OnWatermark(long watermark)
    {
        try
        {
            var emitter = new Emitter(this);
            _table.Fire(watermark, ref emitter);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        finally
        {
            RecordTimestamp.Value = Time.RecordTimestamp.None;
        }
    }

    private void EmitWindow(TKey key, TimeWindow window, TAcc accumulator)
    {
        if (_setKeyOnFire)
        {
            _backend.SetCurrentKey(key);
        }
        _functionContext.Window = window;
        _collector.Timestamp = window.MaxTimestamp;
        function.Process(key, window, _functionContext, accumulator, _collector);
        // Without allowed lateness a window is cleaned when it fires.
        function.Clear(window, _functionContext);
    }

    public override void SnapshotState(CheckpointBarrier barrier, TaskCheckpointing checkpointing, List<OperatorSnapshot> into)
    {
        base.SnapshotState(barrier, checkpointing, into);
        var tableSnapshot = _table.Snapshot(barrier.CheckpointId, incremental: false);
        var backendSnapshot = ((ISnapshotableKeyedBackend)_backend).Snapshot(barrier.CheckpointId, incremental: false);
        into[^1].Keyed = new SliceTableSnapshots.Composite(tableSnapshot, backendSnapshot);
    }

    public override void NotifyCheckpointComplete(long checkpointId)
    {
        base.NotifyCheckpointComplete(checkpointId);
        ((ISnapshotableKeyedBackend)_backend).NotifyCheckpointComplete(checkpointId);
    }

    public override void NotifyCheckpointAborted(long checkpointId)
    {
        base.NotifyCheckpointAborted(checkpointId);
        ((ISnapshotableKeyedBackend)_backend).NotifyCheckpointAborted(checkpointId);
    }

    /// <summary>Splits each old subtask's composite snapshot into the table's part and the backend's.</summary>
    private void Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains)
    {
        var (tableChains, backendChains) = SliceTableSnapshots.Split(Name, chains);
        _table.Restore(tableChains);
        ((ISnapshotableKeyedBackend)_backend).Restore(backendChains);
    }

    public override void Finish()
    {
        base.Finish();
        if (probe is not null)
        {
            probe.ReportSliceTable();
            probe.Report(Context.SubtaskIndex, _table.EntryCount + _backend.EntryCount, 0, 0, NumLateRecordsDropped);
        }
    }

    public override void Close()
    {
        try
        {
            if (_table is not null)
            {
                Context.GetCounter($"{Name}.numLateRecordsDropped").Add(NumLateRecordsDropped);
            }
            foreach (var userFunction in userFunctions)
            {
                if (userFunction is IRichFunction rich)
                {
                    Guard(rich.Close);
                }
            }
        }
        finally
        {
            base.Close();
            _backend?.Dispose();
        }
    }

    void IWindowOperatorContext<TKey, TimeWindow, TOut>.Emit(TOut record, long timestamp)
    {
        RecordTimestamp.Value = timestamp;
        Output.Collect(record);
    }

    void IWindowOperatorContext<TKey, TimeWindow>.EmitSide<TSide>(OutputTag<TSide> tag, TSide record, long timestamp)
    {
        RecordTimestamp.Value = timestamp;
        Output.CollectSide(tag, record);
    }

    // The window functions reach the operator through WindowFunctionContext, which registers no timers.
    void IWindowOperatorContext<TKey, TimeWindow>.RegisterEventTimeTimer(TimeWindow window, long time) => throw NoTimers();

    void IWindowOperatorContext<TKey, TimeWindow>.DeleteEventTimeTimer(TimeWindow window, long time) => throw NoTimers();

    void IWindowOperatorContext<TKey, TimeWindow>.RegisterProcessingTimeTimer(TimeWindow window, long time) => throw NoTimers();

    void IWindowOperatorContext<TKey, TimeWindow>.DeleteProcessingTimeTimer(TimeWindow window, long time) => throw NoTimers();

    private NotSupportedException NoTimers() => new($"window operator '{Name}': the slice table fires windows by the watermark and has no timers.");

    private readonly struct Emitter(SliceTableWindowOperator<TKey, TIn, TAcc, TOut> owner) : ISliceWindowEmitter<TKey, TAcc>
    {
        public void Emit(TKey key, TimeWindow window, TAcc accumulator) => owner.EmitWindow(key, window, accumulator);
    }
}
