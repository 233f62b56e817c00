using DataflowCompiler.Functions;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>
/// Base of the interpreted operators. Lifecycle on the task thread: <see cref="Setup"/>,
/// <see cref="Open"/>, records, <see cref="Finish"/> (end of input, bounded streams only), then
/// <see cref="Close"/> (always, also after failure or cancellation).
/// </summary>
internal abstract class StreamOperator
{
    private OperatorContext? _context;

    /// <summary>Input records seen so far; an error names the record by this position.</summary>
    protected long RecordsIn;

    public string Name { get; internal set; } = "";

    protected OperatorContext Context => _context ?? throw new InvalidOperationException($"Operator '{Name}' is not set up.");

    /// <summary>The user function object, if any, for the rich lifecycle (Open/Close).</summary>
    protected virtual object? UserFunction => null;

    internal void Setup(OperatorContext context)
    {
        _context = context;
        RecordTimestamp = context.Time.RecordTimestamp;
    }

    /// <summary>The timestamp of the record being processed (shared by the operators of the task).</summary>
    protected RecordTimestamp RecordTimestamp { get; private set; } = null!;

    /// <summary>The operator's event time: the last watermark it advanced to (combined over its inputs); <see cref="long.MinValue"/> at first.</summary>
    public long CurrentWatermark { get; private set; } = long.MinValue;

    /// <summary>Whether the operator told its output that it is idle.</summary>
    protected bool IsIdle { get; private set; }

    /// <summary>Where watermarks and statuses go (the operator's output; null for sinks).</summary>
    protected abstract IEventOutput? EventOutput { get; }

    /// <summary>
    /// Advances the operator's event time if <paramref name="watermark"/> is ahead of it: first
    /// <see cref="OnWatermark"/> (event-time timers fire, in timestamp order), then the watermark is forwarded.
    /// A watermark that does not advance is dropped, so an operator never forwards one that goes backwards.
    /// </summary>
    protected void AdvanceWatermark(Watermark watermark)
    {
        if (watermark.Timestamp <= CurrentWatermark)
        {
            return;
        }
        CurrentWatermark = watermark.Timestamp;
        OnWatermark(watermark.Timestamp);
        EventOutput?.EmitWatermark(watermark);
    }

    /// <summary>Forwards an idle/active change of the operator's (combined) input.</summary>
    protected void ChangeWatermarkStatus(WatermarkStatus status)
    {
        if (status.IsIdle == IsIdle)
        {
            return;
        }
        IsIdle = status.IsIdle;
        EventOutput?.EmitWatermarkStatus(status);
    }

    /// <summary>Called when event time advances, before the watermark is forwarded: keyed operators fire their event-time timers here.</summary>
    protected virtual void OnWatermark(long watermark) { }

    /// <summary>The operator's input with the given 1-based index, as an <see cref="IInput{T}"/>.</summary>
    public abstract object GetInput(int inputIndex);

    /// <summary>Connects the operator's output (an <see cref="OperatorOutput{T}"/> of its output type).</summary>
    public abstract void SetOutput(object output);

    public virtual void Open()
    {
        if (UserFunction is IRichFunction rich)
        {
            Guard(() => rich.Open(Context.CreateRuntimeContext(KeyedStateStore)));
        }
    }

    /// <summary>The keyed state of this operator, for keyed operators.</summary>
    protected virtual State.IKeyedStateStore? KeyedStateStore => null;

    public virtual void Finish() { }

    /// <summary>
    /// Before <see cref="Open"/>: a user function that implements <c>ICheckpointedFunction</c> gets its operator state
    /// (restored when the job restores). Keyed state and timers restore when the operator creates them.
    /// </summary>
    public virtual void InitializeState() => CheckpointHooks.Add(UserFunction);

    private Checkpointing.CheckpointedFunctions? _checkpointHooks;

    /// <summary>The checkpoint hooks of this operator's user objects (its function, a sink's writer).</summary>
    protected Checkpointing.CheckpointedFunctions CheckpointHooks => _checkpointHooks ??= new Checkpointing.CheckpointedFunctions(
        Name, Context.Serializers, Context.Restore, Context.SubtaskIndex, Context.Parallelism, Guard);

    /// <summary>
    /// The synchronous phase of checkpoint <paramref name="barrier"/>: lets user functions snapshot, then captures the
    /// keyed state (copy-on-write), timers, operator state and the operator's own sections into <paramref name="into"/>.
    /// </summary>
    public virtual void SnapshotState(Checkpointing.CheckpointBarrier barrier, Checkpointing.TaskCheckpointing checkpointing, List<Checkpointing.OperatorSnapshot> into)
    {
        var context = Context;
        byte[]? operatorState = CheckpointHooks.Snapshot(barrier);
        var snapshot = new Checkpointing.OperatorSnapshot(context.OperatorId);
        if (context.KeyedBackend is { } keyed)
        {
            snapshot.Keyed = keyed.Snapshot(barrier.CheckpointId, checkpointing.WantsIncremental(barrier, context.OperatorId));
        }
        if (context.TimeServices is { } timers)
        {
            snapshot.Sections[Checkpointing.SnapshotSections.Timers] = Checkpointing.TimerSnapshots.Snapshot(timers);
        }
        if (operatorState is not null)
        {
            snapshot.Sections[Checkpointing.SnapshotSections.OperatorState] = operatorState;
        }
        SnapshotSections(snapshot.Sections);
        into.Add(snapshot);
    }

    /// <summary>Adds the operator's own snapshot sections (a source adds its read position).</summary>
    protected virtual void SnapshotSections(IDictionary<string, byte[]> sections) { }

    /// <summary>Checkpoint <paramref name="checkpointId"/> is complete: the keyed backend may build on it, user listeners commit.</summary>
    public virtual void NotifyCheckpointComplete(long checkpointId)
    {
        Context.KeyedBackend?.NotifyCheckpointComplete(checkpointId);
        CheckpointHooks.NotifyComplete(checkpointId);
    }

    /// <summary>Checkpoint <paramref name="checkpointId"/> was aborted.</summary>
    public virtual void NotifyCheckpointAborted(long checkpointId)
    {
        Context.KeyedBackend?.NotifyCheckpointAborted(checkpointId);
        CheckpointHooks.NotifyAborted(checkpointId);
    }


    public virtual void Close()
    {
        if (UserFunction is IRichFunction rich)
        {
            Guard(rich.Close);
        }
    }

    /// <summary>Runs lifecycle user code and names this operator if it throws.</summary>
    protected void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    protected static bool IsUserFailure(Exception e) => UserCodeException.IsUserFailure(e);

    protected UserCodeException Fail(Exception e) => new(Name, Context.TaskName, RecordsIn, e);
}

/// <summary>An operator with one input of type <typeparamref name="TIn"/> and output <typeparamref name="TOut"/>.</summary>
internal abstract class OneInputOperator<TIn, TOut> : StreamOperator, IInput<TIn>
{
    protected OperatorOutput<TOut> Output = null!;

    public override object GetInput(int inputIndex) => inputIndex == 1
        ? this
        : throw new ArgumentOutOfRangeException(nameof(inputIndex), $"Operator '{Name}' has one input.");

    public override void SetOutput(object output) => Output = (OperatorOutput<TOut>)output;

    protected override IEventOutput? EventOutput => Output;

    public abstract void ProcessElement(TIn record);

    public virtual void ProcessWatermark(Watermark watermark) => AdvanceWatermark(watermark);

    public virtual void ProcessWatermarkStatus(WatermarkStatus status) => ChangeWatermarkStatus(status);
}

/// <summary>An operator with two inputs.</summary>
internal abstract class TwoInputOperator<TIn1, TIn2, TOut> : StreamOperator
{
    protected OperatorOutput<TOut> Output = null!;
    private readonly Input1 _input1;
    private readonly Input2 _input2;

    protected TwoInputOperator()
    {
        _input1 = new Input1(this);
        _input2 = new Input2(this);
    }

    public override object GetInput(int inputIndex) => inputIndex switch
    {
        1 => _input1,
        2 => _input2,
        _ => throw new ArgumentOutOfRangeException(nameof(inputIndex), $"Operator '{Name}' has two inputs."),
    };

    public override void SetOutput(object output) => Output = (OperatorOutput<TOut>)output;

    protected override IEventOutput? EventOutput => Output;

    public abstract void ProcessElement1(TIn1 record);

    public abstract void ProcessElement2(TIn2 record);

    // Event time per input; the operator's is the minimum over the inputs that are not idle.
    private readonly long[] _inputWatermarks = [long.MinValue, long.MinValue];
    private readonly bool[] _inputIdle = new bool[2];

    private void ProcessWatermark(int input, Watermark watermark)
    {
        if (watermark.Timestamp <= _inputWatermarks[input])
        {
            return;
        }
        _inputWatermarks[input] = watermark.Timestamp;
        AdvanceToCombinedWatermark(watermark);
    }

    private void ProcessWatermarkStatus(int input, WatermarkStatus status)
    {
        _inputIdle[input] = status.IsIdle;
        if (status.IsActive)
        {
            ChangeWatermarkStatus(status);
        }
        else if (_inputIdle[0] && _inputIdle[1])
        {
            ChangeWatermarkStatus(status);
        }
        else
        {
            // The other input alone now decides event time.
            AdvanceToCombinedWatermark(null);
        }
    }

    private void AdvanceToCombinedWatermark(Watermark? candidate)
    {
        long combined = long.MaxValue;
        bool any = false;
        for (int i = 0; i < 2; i++)
        {
            if (!_inputIdle[i])
            {
                any = true;
                combined = Math.Min(combined, _inputWatermarks[i]);
            }
        }
        if (any && combined > CurrentWatermark)
        {
            AdvanceWatermark(candidate is not null && candidate.Timestamp == combined ? candidate : new Watermark(combined));
        }
    }

    private sealed class Input1(TwoInputOperator<TIn1, TIn2, TOut> op) : IInput<TIn1>
    {
        public void ProcessElement(TIn1 record) => op.ProcessElement1(record);

        public void ProcessWatermark(Watermark watermark) => op.ProcessWatermark(0, watermark);

        public void ProcessWatermarkStatus(WatermarkStatus status) => op.ProcessWatermarkStatus(0, status);
    }

    private sealed class Input2(TwoInputOperator<TIn1, TIn2, TOut> op) : IInput<TIn2>
    {
        public void ProcessElement(TIn2 record) => op.ProcessElement2(record);

        public void ProcessWatermark(Watermark watermark) => op.ProcessWatermark(1, watermark);

        public void ProcessWatermarkStatus(WatermarkStatus status) => op.ProcessWatermarkStatus(1, status);
    }
}
