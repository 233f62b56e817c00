namespace DataflowCompiler.Checkpointing;

/// <summary>
/// The in-flight data of an unaligned checkpoint (Flink's channel state), in the head operator's snapshot sections:
/// per input channel the bytes of a partly read record and the buffers that were in flight before the channel's
/// barrier; per output subpartition the buffers the barrier overtook. Restored before the task reads anything new:
/// output buffers are queued ahead of new records, input buffers are processed before the gate is read.
/// </summary>
internal static class ChannelState
{
    public const string InputSection = "channel-input";
    public const string OutputSection = "channel-output";

    /// <summary>Input: per channel, the partial record and the recorded buffers.</summary>
    public static byte[] WriteInput(IReadOnlyList<(byte[] Partial, List<byte[]> Buffers)> channels)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(channels.Count);
        foreach (var (partial, buffers) in channels)
        {
            writer.Write(partial.Length);
            writer.Write(partial);
            WriteBuffers(writer, buffers);
        }
        writer.Flush();
        return stream.ToArray();
    }

    public static List<(byte[] Partial, List<byte[]> Buffers)> ReadInput(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        int count = reader.ReadInt32();
        var channels = new List<(byte[], List<byte[]>)>(count);
        for (int i = 0; i < count; i++)
        {
            var partial = reader.ReadBytes(reader.ReadInt32());
            channels.Add((partial, ReadBuffers(reader)));
        }
        return channels;
    }

    /// <summary>Output: per result partition, per subpartition, the overtaken buffers.</summary>
    public static byte[] WriteOutput(IReadOnlyList<byte[][][]> partitions)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(partitions.Count);
        foreach (var subpartitions in partitions)
        {
            writer.Write(subpartitions.Length);
            foreach (var buffers in subpartitions)
            {
                WriteBuffers(writer, buffers);
            }
        }
        writer.Flush();
        return stream.ToArray();
    }

    public static List<List<List<byte[]>>> ReadOutput(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        int partitions = reader.ReadInt32();
        var result = new List<List<List<byte[]>>>(partitions);
        for (int p = 0; p < partitions; p++)
        {
            int subpartitions = reader.ReadInt32();
            var list = new List<List<byte[]>>(subpartitions);
            for (int s = 0; s < subpartitions; s++)
            {
                list.Add(ReadBuffers(reader));
            }
            result.Add(list);
        }
        return result;
    }

    private static void WriteBuffers(BinaryWriter writer, IReadOnlyCollection<byte[]> buffers)
    {
        writer.Write(buffers.Count);
        foreach (var buffer in buffers)
        {
            writer.Write(buffer.Length);
            writer.Write(buffer);
        }
    }

    private static List<byte[]> ReadBuffers(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        var buffers = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            buffers.Add(reader.ReadBytes(reader.ReadInt32()));
        }
        return buffers;
    }
}
