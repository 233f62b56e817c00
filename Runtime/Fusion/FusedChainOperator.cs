using DataflowCompiler.Operators;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;

namespace DataflowCompiler.Fusion;

/// <summary>
/// A fused chain in the place of the interpreted operators of one subtask: the task opens, drives, finishes
/// and closes it like any chain head. Every operator of the vertex maps to this one object.
/// </summary>
internal class FusedChainOperator : StreamOperator, IWatermarkInput, IEventOutput
{
    private readonly FusedChainContext _context;
    private readonly PartitionEventOutput _events;

    protected FusedChainOperator(FusedChain chain, FusedChainContext context)
    {
        Chain = chain;
        _context = context;
        _events = new PartitionEventOutput(context.Partitions);
        context.EventTarget = this;
        chain.Setup(context);
    }

    // Watermarks and statuses pass through a fused chain to every partition it writes (its operators hold no
    // event-time timers: functions that handle timers run interpreted), unless an operator of the chain assigns
    // timestamps: then that operator's watermark strategy defines event time from there on.
    protected override IEventOutput? EventOutput => _events;

    public void ProcessWatermark(Watermark watermark)
    {
        if (!_context.AssignsAfterHead)
        {
            AdvanceWatermark(watermark);
        }
        else if (watermark.Timestamp == long.MaxValue)
        {
            // A finished input: the assigner emits its final watermark, as the interpreted one does.
            _context.EventTimeAssigner?.EmitFinalWatermark();
        }
    }

    public void ProcessWatermarkStatus(WatermarkStatus status)
    {
        if (!_context.AssignsAfterHead)
        {
            ChangeWatermarkStatus(status);
        }
    }

    // The chain's watermark strategy emits here: watermarks advance the chain's event time, then go downstream.
    void IEventOutput.EmitWatermark(Watermark watermark) => AdvanceWatermark(watermark);

    void IEventOutput.EmitWatermarkStatus(WatermarkStatus status) => ChangeWatermarkStatus(status);

    /// <summary>
    /// The watermark the chain's functions see: the operator's, once the chain has handled it. A fused window fires its results
    /// while this is still the previous one, as the interpreted operators after a window see them (the window forwards the
    /// watermark only after firing).
    /// </summary>
    internal long ChainWatermark { get; private set; } = long.MinValue;

    protected override void OnWatermark(long watermark)
    {
        Chain.OnWatermark(watermark);
        ChainWatermark = watermark;
    }

    protected FusedChain Chain { get; }

    public static FusedChainOperator Create(FusedChain chain, FusedChainContext context, bool sourceHeaded) =>
        sourceHeaded ? new FusedSourceChainOperator(chain, context) : new FusedChainOperator(chain, context);

    public void FlushOutputs()
    {
        foreach (var flush in _context.Flushes)
        {
            flush();
        }
    }

    public override object GetInput(int inputIndex)
    {
        var input = Chain.CreateInput();
        ((IFusedInput)input).WatermarkTarget = this;
        return input;
    }

    public override void SetOutput(object output) =>
        throw new InvalidOperationException("A fused chain wires its own outputs.");

    public override void Open() => Chain.Open();

    // A fused chain has no per-operator contexts: user functions get their operator state when the generated code
    // asks for them (FusedChainContext.GetFunction), before their rich Open.
    public override void InitializeState()
    {
    }

    /// <summary>Snapshots every operator of the chain under its own id: keyed state of keyed operators, the source position.</summary>
    public override void SnapshotState(Checkpointing.CheckpointBarrier barrier, Checkpointing.TaskCheckpointing checkpointing, List<Checkpointing.OperatorSnapshot> into)
    {
        for (int op = 0; op < _context.OperatorCount; op++)
        {
            string id = _context.OperatorId(op);
            byte[]? operatorState = _context.HooksIfAny(op)?.Snapshot(barrier);
            var snapshot = new Checkpointing.OperatorSnapshot(id);
            if (operatorState is not null)
            {
                snapshot.Sections[Checkpointing.SnapshotSections.OperatorState] = operatorState;
            }
            if (_context.BackendOf(op) is { } backend)
            {
                snapshot.Keyed = backend.Snapshot(barrier.CheckpointId, checkpointing.WantsIncremental(barrier, id));
            }
            if (op == 0 && this is ISourceDriver && (Chain.SourcePosition ?? _context.ReaderPosition) is { } position)
            {
                Checkpointing.SnapshotSections.AddSourcePosition(snapshot.Sections, position);
            }
            into.Add(snapshot);
        }
    }

    public override void NotifyCheckpointComplete(long checkpointId)
    {
        for (int op = 0; op < _context.OperatorCount; op++)
        {
            _context.BackendOf(op)?.NotifyCheckpointComplete(checkpointId);
            _context.HooksIfAny(op)?.NotifyComplete(checkpointId);
        }
    }

    public override void NotifyCheckpointAborted(long checkpointId)
    {
        for (int op = 0; op < _context.OperatorCount; op++)
        {
            _context.BackendOf(op)?.NotifyCheckpointAborted(checkpointId);
            _context.HooksIfAny(op)?.NotifyAborted(checkpointId);
        }
    }

    public override void Finish() => Chain.Finish();

    public override void Close()
    {
        var errors = new List<Exception>();
        _context.StopWatermarks();
        Chain.Close(errors);
        if (errors.Count > 0)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException(errors);
        }
    }

    private sealed class FusedSourceChainOperator(FusedChain chain, FusedChainContext context) : FusedChainOperator(chain, context), ISourceDriver
    {
        public void OpenReader(Action signalAvailable)
        {
            _context.SignalAvailable = signalAvailable;
            Chain.OpenSource();
        }

        // The mailbox flag is checked between batches: a fused batch is short (512 records) and straight-line.
        public ReadStatus EmitBatch(int maxRecords, ref int mailFlag) => Chain.EmitBatch(maxRecords);

        // End of input: event time jumps to the end, as an interpreted source does, so downstream timers fire; the
        // chain's watermark strategy, if any, stops its periodic emission and emits the final watermark itself.
        public override void Finish()
        {
            _context.StopWatermarks();
            if (_context.EventTimeAssigner is { } assigner)
            {
                assigner.EmitFinalWatermark();
            }
            else
            {
                AdvanceWatermark(Watermark.MaxValue);
            }
            base.Finish();
        }
    }
}

/// <summary>Broadcasts the in-band time events of a fused chain into each of its result partitions.</summary>
internal sealed class PartitionEventOutput(IReadOnlyList<Network.ResultPartition> partitions) : IEventOutput
{
    public void EmitWatermark(Watermark watermark)
    {
        foreach (var partition in partitions)
        {
            partition.BroadcastEvent(watermark);
        }
    }

    public void EmitWatermarkStatus(WatermarkStatus status)
    {
        foreach (var partition in partitions)
        {
            partition.BroadcastEvent(status);
        }
    }
}
