using DataflowCompiler.Memory;
using DataflowCompiler.Network;

namespace DataflowCompiler;

/// <summary>
/// Settings of an environment and its local cluster. Every default is listed in docs/configuration.md.
/// </summary>
public sealed class StreamConfiguration
{
    /// <summary>Default parallelism of operators that do not set their own. Default: the number of processors.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Default max parallelism (number of key groups); null applies Flink's rule per operator (1.5 × parallelism rounded up to a power of two, 128..32768).</summary>
    public int? MaxParallelism { get; set; }

    /// <summary>How long a partly filled network buffer may wait before it is shipped. Default 100 ms; zero ships after every record; <see cref="Timeout.InfiniteTimeSpan"/> ships only full buffers.</summary>
    public TimeSpan BufferTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Bytes of network buffers per task manager. Default 64 MiB.</summary>
    public long NetworkMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Bytes of managed memory (keyed state) per task manager. Default 256 MiB.</summary>
    public long ManagedMemoryBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Size of a memory segment. Default 32 KiB.</summary>
    public int SegmentSize { get; set; } = MemorySegment.DefaultSize;

    /// <summary>Buffer counts of the exchange (2 exclusive per channel, 8 floating per gate).</summary>
    public NetworkSettings Network { get; set; } = new();

    /// <summary>Chain forward-connected operators into one task (default true).</summary>
    public bool ChainingEnabled { get; set; } = true;

    /// <summary>
    /// How often periodic watermark generators emit (Flink's auto-watermark interval), in processing time.
    /// Default 200 ms; zero turns periodic emission off (punctuated generators and the final watermark still work).
    /// </summary>
    public TimeSpan AutoWatermarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The processing-time clock of the job's tasks: processing-time timers, periodic watermarks, idleness and
    /// ingestion time read it. Default <see cref="TimeProvider.System"/>; tests use a <see cref="Time.ManualTimeProvider"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Run the generator's fused chains where they match (default), or every chain interpreted (docs/fusion.md).</summary>
    public DataflowCompiler.Fusion.FusionMode Fusion { get; set; } = DataflowCompiler.Fusion.FusionMode.Enabled;

    /// <summary>Receives one line per chain saying whether it runs fused or interpreted and why; null writes to <see cref="System.Diagnostics.Trace"/>.</summary>
    public Action<string>? FusionLog { get; set; }

    /// <summary>Periodic checkpoints (off by default), their storage and retention (docs/checkpoints.md).</summary>
    public CheckpointingOptions Checkpointing { get; set; } = new();

    /// <summary>
    /// What happens when a task fails: null (default) applies Flink's rule — exponential delay when checkpointing is
    /// on, no restart otherwise (docs/configuration.md lists the strategies and their defaults).
    /// </summary>
    public RestartStrategy? RestartStrategy { get; set; }

    /// <summary>Start the job from this savepoint or retained checkpoint; null (default) starts without state.</summary>
    public SavepointRestoreSettings? SavepointRestore { get; set; }

    /// <summary>Throws if a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (Parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "Parallelism must be at least 1.");
        }
        if (MaxParallelism is { } max && (max < 1 || max > State.KeyGroupRangeAssignment.UpperBoundMaxParallelism))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxParallelism), max, $"Max parallelism must be between 1 and {State.KeyGroupRangeAssignment.UpperBoundMaxParallelism}.");
        }
        if (MaxParallelism is { } m && Parallelism > m)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, $"Parallelism {Parallelism} is above the max parallelism {m}.");
        }
        if (BufferTimeout < TimeSpan.Zero && BufferTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferTimeout), BufferTimeout, "Buffer timeout must be zero, positive, or Timeout.InfiniteTimeSpan.");
        }
        if (AutoWatermarkInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AutoWatermarkInterval), AutoWatermarkInterval, "The auto-watermark interval must be zero (off) or positive.");
        }
        if (Checkpointing is null)
        {
            throw new ArgumentNullException(nameof(Checkpointing), "Set checkpointing options (new CheckpointingOptions() by default).");
        }
        Checkpointing.Validate();
        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "Set a time provider (TimeProvider.System by default).");
        }
        if (SegmentSize < 256)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSize), SegmentSize, "Segment size must be at least 256 bytes.");
        }
        if (NetworkMemoryBytes < SegmentSize * 16L)
        {
            throw new ArgumentOutOfRangeException(nameof(NetworkMemoryBytes), NetworkMemoryBytes, $"Network memory must hold at least 16 segments ({SegmentSize * 16L} bytes).");
        }
        if (ManagedMemoryBytes < SegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(ManagedMemoryBytes), ManagedMemoryBytes, "Managed memory must hold at least one segment.");
        }
        if (Network.ExclusiveBuffersPerChannel < 1 || Network.FloatingBuffersPerGate < 0 || Network.BuffersPerSubpartition < 1 || Network.FloatingBuffersPerPartition < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Network), Network, "Each channel needs at least one exclusive buffer and each subpartition at least one buffer; floating counts cannot be negative.");
        }
    }

    /// <summary>A copy, so a running job is not affected by later changes.</summary>
    public StreamConfiguration Clone()
    {
        var copy = (StreamConfiguration)MemberwiseClone();
        copy.Checkpointing = Checkpointing.Clone();
        return copy;
    }
}
