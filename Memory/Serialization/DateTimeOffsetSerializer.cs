namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// <see cref="DateTimeOffset"/> as its local clock ticks (8 bytes) and its offset in minutes
/// (2 bytes). Not copied as raw bytes: the struct has padding, whose content is undefined and
/// would make equal values serialize to different bytes.
/// </summary>
public sealed class DateTimeOffsetSerializer : IRecordSerializer<DateTimeOffset>
{
    /// <inheritdoc/>
    public void Serialize(DateTimeOffset value, DataOutputSerializer output)
    {
        output.WriteInt64(value.Ticks);
        output.WriteInt16((short)value.TotalOffsetMinutes);
    }

    /// <inheritdoc/>
    public DateTimeOffset Deserialize(ref DataInputView input)
    {
        long ticks = input.ReadInt64();
        short offsetMinutes = input.ReadInt16();
        try
        {
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(offsetMinutes));
        }
        catch (ArgumentException e)
        {
            throw new SerializationException($"Invalid DateTimeOffset (ticks {ticks}, offset {offsetMinutes} min) before offset {input.Position}.", e);
        }
    }
}
