namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Booleans as one byte, 0 or 1. Kept apart from <see cref="UnmanagedSerializer{T}"/> so that a
/// non-canonical <see cref="bool"/> (a byte other than 0 or 1 reinterpreted by unsafe code) is
/// written canonically and every non-zero byte reads back as <see langword="true"/>.
/// </summary>
public sealed class BooleanSerializer : IRecordSerializer<bool>
{
    /// <inheritdoc/>
    public void Serialize(bool value, DataOutputSerializer output) => output.WriteBoolean(value);

    /// <inheritdoc/>
    public bool Deserialize(ref DataInputView input) => input.ReadBoolean();
}
