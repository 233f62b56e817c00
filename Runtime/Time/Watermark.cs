using DataflowCompiler.Network;

namespace DataflowCompiler.Time;

/// <summary>
/// An event-time watermark: no record with a timestamp at or below <see cref="Timestamp"/> is expected
/// any more on the channel it travels. Watermarks travel in-band, in order with the records of a
/// channel, and never go backwards. Immutable (in-process channels pass the instance itself).
/// </summary>
public sealed class Watermark : RuntimeEvent
{
    /// <summary>The watermark a bounded source emits at the end of its input: every event-time timer fires.</summary>
    public static readonly Watermark MaxValue = new(long.MaxValue);

    /// <summary>The initial event time of every operator and channel: no progress yet.</summary>
    public static readonly Watermark MinValue = new(long.MinValue);

    /// <summary>A watermark at <paramref name="timestamp"/> (milliseconds, the unit of record timestamps).</summary>
    public Watermark(long timestamp) => Timestamp = timestamp;

    /// <summary>The event time, in milliseconds, up to which (inclusive) the stream is complete.</summary>
    public long Timestamp { get; }

    /// <inheritdoc/>
    public override string ToString() => $"Watermark({(Timestamp == long.MaxValue ? "MAX" : Timestamp == long.MinValue ? "MIN" : Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture))})";
}
