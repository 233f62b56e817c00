using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Unmanaged values (primitives, enums, DateTime, Guid, structs without references) copied as their
/// raw bytes. Structs with padding must be fully initialised for the bytes to be deterministic.
/// </summary>
public sealed class UnmanagedSerializer<T> : IFixedSizeSerializer<T> where T : unmanaged
{
    /// <inheritdoc/>
    public int FixedSize => Unsafe.SizeOf<T>();

    /// <inheritdoc/>
    public void Serialize(T value, DataOutputSerializer output) => output.WriteUnmanaged(in value);

    /// <inheritdoc/>
    public T Deserialize(ref DataInputView input) => input.ReadUnmanaged<T>();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read(ReadOnlySpan<byte> source) => MemoryMarshal.Read<T>(source);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(in T value, Span<byte> destination) => MemoryMarshal.Write(destination, in value);
}
