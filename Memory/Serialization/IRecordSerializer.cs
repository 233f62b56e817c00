namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Turns records of type <typeparamref name="T"/> into bytes and back. Serializers see a
/// contiguous buffer on both sides: the exchange and the state backends take care of records
/// that span memory segments. Implementations must be stateless or thread-confined and must
/// write the same bytes for equal values (keys are hashed over their serialized bytes).
/// </summary>
public interface IRecordSerializer<T>
{
    /// <summary>Appends the binary form of <paramref name="value"/> to <paramref name="output"/>.</summary>
    void Serialize(T value, DataOutputSerializer output);

    /// <summary>Reads one value written by <see cref="Serialize"/>.</summary>
    T Deserialize(ref DataInputView input);
}
