namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Byte arrays as a variable-length prefix (length + 1, 0 for null) followed by the raw bytes.
/// Null survives the round trip and is distinct from an empty array.
/// </summary>
public sealed class ByteArraySerializer : IRecordSerializer<byte[]>
{
    /// <inheritdoc/>
    public void Serialize(byte[] value, DataOutputSerializer output)
    {
        if (value is null)
        {
            output.WriteVarUInt32(0);
            return;
        }
        output.WriteVarUInt32((uint)value.Length + 1);
        output.WriteBytes(value);
    }

    /// <inheritdoc/>
    public byte[] Deserialize(ref DataInputView input)
    {
        uint lengthPlusOne = input.ReadVarUInt32();
        if (lengthPlusOne == 0)
        {
            return null!;
        }
        // ReadBytes checks the length against what is left before anything is allocated.
        return input.ReadBytes(CollectionLength.ToInt32(lengthPlusOne - 1, input.Position)).ToArray();
    }
}
