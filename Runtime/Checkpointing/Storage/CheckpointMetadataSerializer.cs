using System.Buffers.Binary;
using System.Text;
using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// The binary form of <see cref="CheckpointMetadata"/> in a <c>_metadata</c> file. Little-endian:
/// <code>
/// "DFCM" version:u8 payloadLength:i32 payload crc:u32   (crc: CRC-32C of everything before it)
/// payload  checkpointId:i64 timestamp:i64 kind:u8 operatorCount:varint operator*
/// operator id:string name:string parallelism:i32 maxParallelism:i32 subtaskCount:varint subtask*
/// subtask  index:i32 keyGroupStart:i32 keyGroupEnd:i32 keyedCount:varint handle* hasOperatorState:bool handle?
/// handle   relativePath:string size:i64
/// </code>
/// Strings are UTF-8 with a 7-bit-encoded length prefix (<see cref="BinaryWriter"/>'s encoding).
/// </summary>
internal static class CheckpointMetadataSerializer
{
    public const byte Version = 1;
    private const int PrefixSize = 9;
    private const int ChecksumSize = 4;

    // Strict both ways: an operator id with a lone surrogate fails the write instead of coming back different.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>"DFCM": DataflowCompiler checkpoint metadata.</summary>
    public static ReadOnlySpan<byte> Magic => "DFCM"u8;

    public static byte[] Serialize(CheckpointMetadata metadata)
    {
        var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Utf8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(0); // payload length, patched below
            writer.Write(metadata.CheckpointId);
            writer.Write(metadata.TimestampMilliseconds);
            writer.Write((byte)metadata.Kind);
            writer.Write7BitEncodedInt(metadata.Operators.Count);
            foreach (OperatorStateMetadata op in metadata.Operators)
            {
                writer.Write(op.OperatorId);
                writer.Write(op.Name);
                writer.Write(op.Parallelism);
                writer.Write(op.MaxParallelism);
                writer.Write7BitEncodedInt(op.Subtasks.Count);
                foreach (OperatorSubtaskStateMetadata subtask in op.Subtasks)
                {
                    writer.Write(subtask.Subtask);
                    writer.Write(subtask.KeyGroups.StartKeyGroup);
                    writer.Write(subtask.KeyGroups.EndKeyGroup);
                    writer.Write7BitEncodedInt(subtask.KeyedState.Count);
                    foreach (StateFileHandle handle in subtask.KeyedState)
                        WriteHandle(writer, handle);
                    writer.Write(subtask.OperatorState is not null);
                    if (subtask.OperatorState is not null)
                        WriteHandle(writer, subtask.OperatorState);
                }
            }
        }

        buffer.Write(stackalloc byte[ChecksumSize]);
        byte[] bytes = buffer.ToArray();
        int payloadLength = bytes.Length - PrefixSize - ChecksumSize;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(5), payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - ChecksumSize), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - ChecksumSize)));
        return bytes;
    }

    /// <summary>Parses a <c>_metadata</c> file's bytes; <paramref name="path"/> names the file in errors.</summary>
    public static CheckpointMetadata Deserialize(byte[] bytes, string path)
    {
        if (bytes.Length < PrefixSize + ChecksumSize)
            throw new CheckpointCorruptedException(path, $"truncated: {bytes.Length} bytes, expected at least {PrefixSize + ChecksumSize}");
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw new CheckpointCorruptedException(path, "not a checkpoint metadata file (bad magic number)");
        if (bytes[4] != Version)
            throw new CheckpointCorruptedException(path, $"unsupported metadata format version {bytes[4]} (this build reads version {Version})");
        long expected = (long)BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(5)) + PrefixSize + ChecksumSize;
        if (bytes.Length != expected)
        {
            throw new CheckpointCorruptedException(path, bytes.Length < expected
                ? $"truncated: {bytes.Length} bytes, expected {expected}"
                : $"{bytes.Length} bytes, expected {expected}");
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - ChecksumSize));
        if (Crc32C.Compute(bytes.AsSpan(0, bytes.Length - ChecksumSize)) != stored)
            throw new CheckpointCorruptedException(path, "checksum mismatch");

        // The checksum matched, so a failure below means a writer bug or a format mismatch, still reported as corruption.
        var payload = new MemoryStream(bytes, PrefixSize, bytes.Length - PrefixSize - ChecksumSize, writable: false);
        using var reader = new BinaryReader(payload, Utf8);
        try
        {
            long checkpointId = reader.ReadInt64();
            long timestamp = reader.ReadInt64();
            byte kind = reader.ReadByte();
            if (!Enum.IsDefined((CheckpointKind)kind))
                throw new InvalidDataException($"unknown checkpoint kind {kind}");
            var operators = new OperatorStateMetadata[ReadCount(reader)];
            for (int i = 0; i < operators.Length; i++)
            {
                string id = reader.ReadString();
                string name = reader.ReadString();
                int parallelism = reader.ReadInt32();
                int maxParallelism = reader.ReadInt32();
                var subtasks = new OperatorSubtaskStateMetadata[ReadCount(reader)];
                for (int s = 0; s < subtasks.Length; s++)
                {
                    int index = reader.ReadInt32();
                    var keyGroups = new KeyGroupRange(reader.ReadInt32(), reader.ReadInt32());
                    var keyed = new StateFileHandle[ReadCount(reader)];
                    for (int k = 0; k < keyed.Length; k++)
                        keyed[k] = ReadHandle(reader);
                    StateFileHandle? operatorState = reader.ReadBoolean() ? ReadHandle(reader) : null;
                    subtasks[s] = new OperatorSubtaskStateMetadata(index, keyGroups, keyed, operatorState);
                }

                operators[i] = new OperatorStateMetadata(id, name, parallelism, maxParallelism, subtasks);
            }

            if (payload.Position != payload.Length)
                throw new InvalidDataException($"{payload.Length - payload.Position} unexpected bytes after the last operator");
            return new CheckpointMetadata(checkpointId, timestamp, (CheckpointKind)kind, operators);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or DecoderFallbackException)
        {
            throw new CheckpointCorruptedException(path, "unreadable metadata: " + e.Message, e);
        }
    }

    private static void WriteHandle(BinaryWriter writer, StateFileHandle handle)
    {
        writer.Write(handle.RelativePath);
        writer.Write(handle.Size);
    }

    private static StateFileHandle ReadHandle(BinaryReader reader) => new(reader.ReadString(), reader.ReadInt64());

    private static int ReadCount(BinaryReader reader)
    {
        int count = reader.Read7BitEncodedInt();
        // Every element takes at least one byte, so a count beyond the remaining bytes is damage, not a huge array.
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"element count {count} exceeds the remaining bytes");
        return count;
    }
}
