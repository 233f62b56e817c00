namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Unmanaged values (primitives, enums, DateTime, Guid, structs without references) copied as their
/// raw bytes. Structs with padding must be fully initialised for the bytes to be deterministic.
/// </summary>
public sealed class UnmanagedSerializer<T> : IRecordSerializer<T> where T : unmanaged
{
    /// <inheritdoc/>
    public void Serialize(T value, DataOutputSerializer output) => output.WriteUnmanaged(in value);

    /// <inheritdoc/>
    public T Deserialize(ref DataInputView input) => input.ReadUnmanaged<T>();
}
