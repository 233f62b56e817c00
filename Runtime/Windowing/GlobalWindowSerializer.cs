using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Writes a <see cref="GlobalWindow"/> as one marker byte, so that window state is never confused with the
/// default (empty) namespace that a process window function's global state uses.
/// </summary>
public sealed class GlobalWindowSerializer : IRecordSerializer<GlobalWindow>
{
    /// <summary>The shared instance (the serializer is stateless).</summary>
    public static GlobalWindowSerializer Instance { get; } = new();

    /// <inheritdoc />
    public void Serialize(GlobalWindow value, DataOutputSerializer output) => output.WriteByte(1);

    /// <inheritdoc />
    public GlobalWindow Deserialize(ref DataInputView input)
    {
        input.ReadByte();
        return GlobalWindow.Instance;
    }
}
