namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// <see cref="Nullable{T}"/> as a flag byte (0 = null, 1 = value) followed by the value written by
/// the serializer of <typeparamref name="T"/>. Nothing follows the flag for null, so equal values
/// always give equal bytes.
/// </summary>
public sealed class NullableSerializer<T> : IRecordSerializer<T?> where T : struct
{
    private readonly IRecordSerializer<T> _value;

    /// <summary>Creates a serializer that writes present values with <paramref name="value"/>.</summary>
    public NullableSerializer(IRecordSerializer<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <inheritdoc/>
    public void Serialize(T? value, DataOutputSerializer output)
    {
        if (value.HasValue)
        {
            output.WriteByte(1);
            _value.Serialize(value.GetValueOrDefault(), output);
        }
        else
        {
            output.WriteByte(0);
        }
    }

    /// <inheritdoc/>
    public T? Deserialize(ref DataInputView input) => input.ReadByte() switch
    {
        0 => null,
        1 => _value.Deserialize(ref input),
        var flag => throw new SerializationException($"Invalid null flag {flag} at offset {input.Position - 1} (expected 0 or 1)."),
    };
}
