namespace DataflowCompiler;

/// <summary>Whether a checkpoint aligns barriers (exactly-once state) or not (at-least-once).</summary>
public enum CheckpointingMode
{
    /// <summary>
    /// A task with several input channels holds back a channel that delivered barrier n until every channel
    /// delivered it, so the snapshot reflects exactly the records before the barrier (Flink's EXACTLY_ONCE).
    /// </summary>
    ExactlyOnce,

    /// <summary>
    /// Barriers are counted, not aligned: records behind an early barrier are processed before the snapshot, so
    /// after a recovery they may be processed twice. Lower latency under skew (Flink's AT_LEAST_ONCE).
    /// </summary>
    AtLeastOnce,
}

/// <summary>
/// Periodic checkpoints of a job (Flink's <c>execution.checkpointing.*</c> options, with Flink's defaults).
/// Checkpointing is off until <see cref="Interval"/> is set, e.g. with
/// <see cref="StreamEnvironment.EnableCheckpointing(TimeSpan, CheckpointingMode)"/>. Every default is listed in
/// docs/configuration.md; docs/checkpoints.md explains the protocol.
/// </summary>
public sealed class CheckpointingOptions
{
    /// <summary>Time between the starts of two periodic checkpoints; null (default) turns checkpointing off.</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>Exactly-once (default) or at-least-once.</summary>
    public CheckpointingMode Mode { get; set; } = CheckpointingMode.ExactlyOnce;

    /// <summary>A checkpoint not complete after this long is aborted. Default 10 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The least time between the end of one checkpoint and the start of the next. Default 0.</summary>
    public TimeSpan MinPauseBetweenCheckpoints { get; set; } = TimeSpan.Zero;

    /// <summary>How many checkpoints may be in progress at once. Default 1.</summary>
    public int MaxConcurrentCheckpoints { get; set; } = 1;

    /// <summary>
    /// How many checkpoint failures in a row (declined, timed out, failed to write) the job tolerates before it fails
    /// and restarts. Default 0: the first failed checkpoint fails the job, as in Flink.
    /// </summary>
    public int TolerableFailedCheckpoints { get; set; }

    /// <summary>
    /// Unaligned checkpoints: barriers overtake buffered records, which are stored with the checkpoint instead of
    /// waiting for alignment. Exactly-once only. Default false.
    /// </summary>
    public bool Unaligned { get; set; }

    /// <summary>
    /// Where checkpoints are written: every job gets <c>&lt;job id&gt;/</c> under it, holding the <c>chk-N/</c>
    /// directories and the <c>shared/</c> files of incremental checkpoints. Default: <c>dataflow-checkpoints</c>
    /// under the system temp directory.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// How many completed checkpoints are kept. Default 2 (Flink keeps 1): recovery falls back to the previous
    /// checkpoint when the latest one turns out corrupt or incomplete, which needs a previous one.
    /// </summary>
    public int RetainedCheckpoints { get; set; } = 2;

    /// <summary>Checkpoints write only the keyed state changed since the last completed one (default true).</summary>
    public bool Incremental { get; set; } = true;

    /// <summary>
    /// After this many incremental checkpoints in a row a full one is written, bounding the files a recovery reads.
    /// Default 10.
    /// </summary>
    public int MaxIncrementalChain { get; set; } = 10;

    /// <summary>Whether checkpointing is on.</summary>
    public bool IsEnabled => Interval is not null;

    /// <summary>Throws if a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (Interval is { } interval && interval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), interval, "The checkpoint interval must be at least 10 ms.");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The checkpoint timeout must be positive.");
        }
        if (MinPauseBetweenCheckpoints < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinPauseBetweenCheckpoints), MinPauseBetweenCheckpoints, "The minimum pause cannot be negative.");
        }
        if (MaxConcurrentCheckpoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentCheckpoints), MaxConcurrentCheckpoints, "At least one checkpoint must be allowed at a time.");
        }
        if (TolerableFailedCheckpoints < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TolerableFailedCheckpoints), TolerableFailedCheckpoints, "The number of tolerable failed checkpoints cannot be negative.");
        }
        if (RetainedCheckpoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RetainedCheckpoints), RetainedCheckpoints, "At least one completed checkpoint must be retained.");
        }
        if (MaxIncrementalChain < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIncrementalChain), MaxIncrementalChain, "The incremental chain must allow at least one checkpoint.");
        }
        if (Unaligned && Mode != CheckpointingMode.ExactlyOnce)
        {
            throw new ArgumentException("Unaligned checkpoints need exactly-once mode.", nameof(Unaligned));
        }
    }

    /// <summary>A copy, so a running job is not affected by later changes.</summary>
    public CheckpointingOptions Clone() => (CheckpointingOptions)MemberwiseClone();
}
