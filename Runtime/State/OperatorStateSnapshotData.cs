using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>
/// The operator state of one subtask as a checkpoint holds it: every state by name, with its mode and serialized
/// elements. <see cref="WriteTo"/> and <see cref="ReadFrom"/> give its binary form; compression and checksums are the
/// checkpoint storage's business.
/// </summary>
internal sealed class OperatorStateSnapshotData
{
    // "OPST" little-endian, then a format version, so a wrong or future file is named instead of misread.
    private const int Magic = 0x5453504F;
    private const byte Version = 1;

    /// <summary>A subtask without operator state.</summary>
    public static readonly OperatorStateSnapshotData Empty = new([]);

    /// <exception cref="ArgumentException">Two states have the same name.</exception>
    public OperatorStateSnapshotData(IReadOnlyList<NamedOperatorState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            if (!names.Add(state.Name))
            {
                throw new ArgumentException($"Operator state snapshot holds the state '{state.Name}' twice.", nameof(states));
            }
        }
        States = states;
    }

    /// <summary>The states, in the order they were written.</summary>
    public IReadOnlyList<NamedOperatorState> States { get; }

    /// <summary>The state named <paramref name="name"/>, or null.</summary>
    public NamedOperatorState? Find(string name) => States.FirstOrDefault(s => s.Name == name);

    /// <summary>Writes the binary form: magic, version, then per state its name, mode and length-prefixed elements.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var output = new DataOutputSerializer();
        output.WriteInt32(Magic);
        output.WriteByte(Version);
        output.WriteVarUInt32((uint)States.Count);
        foreach (var state in States)
        {
            output.WriteString(state.Name);
            output.WriteByte((byte)state.Mode);
            output.WriteVarUInt32((uint)state.Elements.Count);
            foreach (var element in state.Elements)
            {
                output.WriteVarUInt32((uint)element.Length);
                output.WriteBytes(element);
            }
        }
        stream.Write(output.WrittenSpan);
    }

    /// <summary>The binary form as a byte array.</summary>
    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote, to the end of <paramref name="stream"/>.</summary>
    /// <exception cref="SerializationException">The bytes are not an operator state snapshot, or are truncated or corrupt.</exception>
    public static OperatorStateSnapshotData ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Read(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    /// <exception cref="SerializationException">The bytes are not an operator state snapshot, or are truncated or corrupt.</exception>
    public static OperatorStateSnapshotData Read(ReadOnlySpan<byte> bytes)
    {
        var input = new DataInputView(bytes);
        if (input.Remaining < 5 || input.ReadInt32() != Magic)
        {
            throw new SerializationException("Not an operator state snapshot: the bytes do not start with the 'OPST' marker.");
        }
        byte version = input.ReadByte();
        if (version != Version)
        {
            throw new SerializationException($"Operator state snapshot has format version {version}; this version reads only version {Version}.");
        }
        uint count = input.ReadVarUInt32();
        var states = new List<NamedOperatorState>();
        for (uint i = 0; i < count; i++)
        {
            string name = input.ReadString() ?? throw new SerializationException($"Operator state snapshot: state #{i} has no name; the bytes are corrupt.");
            byte mode = input.ReadByte();
            if (mode > (byte)OperatorStateMode.Broadcast)
            {
                throw new SerializationException($"Operator state snapshot: state '{name}' has unknown mode {mode}; the bytes are corrupt.");
            }
            uint elementCount = input.ReadVarUInt32();
            if (elementCount > (uint)input.Remaining)
            {
                throw new SerializationException($"Operator state snapshot: state '{name}' claims {elementCount} elements, more than the {input.Remaining} bytes left; the bytes are corrupt.");
            }
            var elements = new byte[elementCount][];
            for (int e = 0; e < elements.Length; e++)
            {
                uint length = input.ReadVarUInt32();
                if (length > (uint)input.Remaining)
                {
                    throw new SerializationException($"Operator state snapshot: element #{e} of state '{name}' is {length} bytes, but only {input.Remaining} remain; the file is truncated.");
                }
                elements[e] = input.ReadBytes((int)length).ToArray();
            }
            states.Add(new NamedOperatorState(name, (OperatorStateMode)mode, elements));
        }
        if (input.Remaining != 0)
        {
            throw new SerializationException($"Operator state snapshot: {input.Remaining} bytes follow the last state; the bytes are corrupt.");
        }
        return new OperatorStateSnapshotData(states);
    }
}
