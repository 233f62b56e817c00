using DataflowCompiler.Network;

namespace DataflowCompiler.Time;

/// <summary>
/// Whether a channel currently produces watermarks (Flink's WatermarkStatus). An idle channel does not
/// hold back the minimum watermark of the task that reads it; when all its input channels are idle, a
/// task is idle downstream too. Travels in-band like a <see cref="Watermark"/>.
/// </summary>
public sealed class WatermarkStatus : RuntimeEvent
{
    /// <summary>The channel produces no records and no watermarks for now.</summary>
    public static readonly WatermarkStatus Idle = new(true);

    /// <summary>The channel produces records and watermarks (the initial status of every channel).</summary>
    public static readonly WatermarkStatus Active = new(false);

    private WatermarkStatus(bool idle) => IsIdle = idle;

    /// <summary>True for <see cref="Idle"/>.</summary>
    public bool IsIdle { get; }

    /// <summary>True for <see cref="Active"/>.</summary>
    public bool IsActive => !IsIdle;

    /// <inheritdoc/>
    public override string ToString() => IsIdle ? "WatermarkStatus(IDLE)" : "WatermarkStatus(ACTIVE)";
}
