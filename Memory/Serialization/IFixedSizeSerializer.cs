namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// A serializer whose binary form may have the same length for every value, and which then reads and writes that
/// form directly in a span (no <see cref="DataOutputSerializer"/>, no <see cref="DataInputView"/>). The keyed state
/// backend uses it to update a value in place in its memory segment. <see cref="Read"/> and <see cref="Write"/>
/// read and write exactly the bytes <see cref="IRecordSerializer{T}.Serialize"/> writes.
/// </summary>
public interface IFixedSizeSerializer<T> : IRecordSerializer<T>
{
    /// <summary>
    /// The length in bytes of every value's binary form, or 0 when this instance's values vary in length (a
    /// composite with a variable-length element); then <see cref="Read"/> and <see cref="Write"/> throw.
    /// </summary>
    int FixedSize { get; }

    /// <summary>Reads the value whose <see cref="FixedSize"/> bytes start <paramref name="source"/>.</summary>
    T Read(ReadOnlySpan<byte> source);

    /// <summary>Writes the <see cref="FixedSize"/> bytes of <paramref name="value"/> to the start of <paramref name="destination"/>.</summary>
    void Write(in T value, Span<byte> destination);
}
