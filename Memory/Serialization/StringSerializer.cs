namespace DataflowCompiler.Memory.Serialization;

/// <summary>Strings as UTF-8 with a variable-length prefix; null survives the round trip.</summary>
public sealed class StringSerializer : IRecordSerializer<string>
{
    /// <inheritdoc/>
    public void Serialize(string value, DataOutputSerializer output) => output.WriteString(value);

    /// <inheritdoc/>
    public string Deserialize(ref DataInputView input) => input.ReadString()!;
}
