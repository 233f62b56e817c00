using DataflowCompiler.Network;
using DataflowCompiler.Sources;

namespace DataflowCompiler.Fusion;

/// <summary>
/// Base of the chains the fusion generator emits: one subtask's operators compiled into one loop.
/// The task drives it like an interpreted chain: <see cref="Open"/>, then records (a source-headed chain
/// polls its reader in <see cref="EmitBatch"/>; a network-headed chain derives from
/// <see cref="FusedChain{TIn}"/> and takes whole buffers), <see cref="Finish"/> at end of input, and
/// <see cref="Close"/> always. Only the runtime calls these; generated code overrides them.
/// </summary>
public abstract class FusedChain
{
    private FusedChainContext? _context;
    private Time.RecordTimestamp _timestamp = new();

    /// <summary>The subtask this instance runs in; set before <see cref="Open"/>.</summary>
    protected FusedChainContext Context => _context ?? throw new InvalidOperationException("The fused chain is not set up.");

    internal void Setup(FusedChainContext context)
    {
        _context = context;
        _timestamp = context.Time.RecordTimestamp;
    }

    /// <summary>
    /// The timestamp of the record going through the chain, <see cref="long.MinValue"/> for none: the task's record
    /// timestamp, which the channel reader of a timestamped edge sets per record and the record writers of timestamped
    /// edges write before each record. Stateless operators leave it as it is; a timestamp assigner sets it.
    /// </summary>
    protected long RecordTimestamp
    {
        get => _timestamp.Value;
        set => _timestamp.Value = value;
    }

    /// <summary>The record's timestamp as a process function's context shows it (null for none).</summary>
    protected long? RecordTimestampOrNull => _timestamp.AsNullable;

    /// <summary>The timer service process functions of the chain see (time queries only).</summary>
    public Time.ITimerService TimerService => Context.TimerService;

    /// <summary>Creates writers and state, opens rich functions (tail first, as the interpreted chain does).</summary>
    public abstract void Open();

    /// <summary>Creates the source reader (source-headed chains); called after <see cref="Open"/>.</summary>
    public virtual void OpenSource() => throw new InvalidOperationException("This fused chain has no source.");

    /// <summary>Polls up to <paramref name="maxRecords"/> records through the whole chain; returns early when the reader has nothing.</summary>
    public virtual ReadStatus EmitBatch(int maxRecords) => throw new InvalidOperationException("This fused chain has no source.");

    /// <summary>The read position of a source the generated code holds itself (the sequence cursor); null otherwise.</summary>
    public virtual long? SourcePosition => null;

    /// <summary>
    /// Event time of the chain advanced to <paramref name="watermark"/>; called before the watermark is forwarded
    /// downstream. The seam for fused event-time operators (a window head firing into the chain); no-op by default.
    /// </summary>
    public virtual void OnWatermark(long watermark)
    {
    }

    /// <summary>End of a bounded input: flushes sinks (head first, as the interpreted chain does).</summary>
    public virtual void Finish()
    {
    }

    /// <summary>Releases readers, functions, state and writers, head first; adds failures to <paramref name="errors"/> instead of stopping.</summary>
    public abstract void Close(List<Exception> errors);

    internal virtual object CreateInput() => throw new InvalidOperationException("A source-headed fused chain has no network input.");
}

/// <summary>A fused chain whose head reads records of type <typeparamref name="TIn"/> from the network.</summary>
public abstract class FusedChain<TIn> : FusedChain
{
    /// <summary>Runs every complete record of the deserializer's current buffer through the chain.</summary>
    public abstract void ProcessRecords(RecordDeserializer<TIn> records);

    internal override object CreateInput() => new FusedInput<TIn>(this);
}
