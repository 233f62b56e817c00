using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Time;

/// <summary>
/// The record framing of an edge whose stream carries timestamps: the task's current record timestamp as
/// 8 bytes (little-endian, <see cref="RecordTimestamp.None"/> for none) before the record's bytes. Writing
/// reads the producer's <see cref="RecordTimestamp"/>; reading sets the consumer's before the record is
/// handed to the operator. Edges without timestamps use the plain serializer, unchanged.
/// </summary>
internal sealed class TimestampedRecordSerializer<T>(IRecordSerializer<T> inner, RecordTimestamp timestamp) : IRecordSerializer<T>
{
    public void Serialize(T value, DataOutputSerializer output)
    {
        output.WriteInt64(timestamp.Value);
        inner.Serialize(value, output);
    }

    public T Deserialize(ref DataInputView input)
    {
        timestamp.Value = input.ReadInt64();
        return inner.Deserialize(ref input);
    }
}
