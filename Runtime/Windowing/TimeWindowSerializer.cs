using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>Writes a <see cref="TimeWindow"/> as its start and end (16 bytes), the namespace of window state and timers.</summary>
public sealed class TimeWindowSerializer : IRecordSerializer<TimeWindow>
{
    /// <summary>The shared instance (the serializer is stateless).</summary>
    public static TimeWindowSerializer Instance { get; } = new();

    /// <inheritdoc />
    public void Serialize(TimeWindow value, DataOutputSerializer output)
    {
        output.WriteInt64(value.Start);
        output.WriteInt64(value.End);
    }

    /// <inheritdoc />
    public TimeWindow Deserialize(ref DataInputView input)
    {
        long start = input.ReadInt64();
        long end = input.ReadInt64();
        return new TimeWindow(start, end);
    }
}
