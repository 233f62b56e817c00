using System.Buffers.Binary;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Network.Tests;

public sealed class RecordDeserializerTests
{
    private static readonly StringSerializer Strings = new();

    private static byte[] Frame(IEnumerable<string> records)
    {
        var output = new DataOutputSerializer();
        var frame = new List<byte>();
        foreach (var record in records)
        {
            output.Clear();
            Strings.Serialize(record, output);
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(prefix, output.Length);
            frame.AddRange(prefix);
            frame.AddRange(output.WrittenSpan.ToArray());
        }
        return [.. frame];
    }

    private sealed class CountingBuffer
    {
        public int Recycled;
        public NetworkBuffer Buffer { get; }

        public CountingBuffer(ReadOnlySpan<byte> bytes)
        {
            var segment = MemorySegment.AllocateUnpooled(Math.Max(1, bytes.Length));
            bytes.CopyTo(segment.Span);
            Buffer = new NetworkBuffer(segment, bytes.Length, _ => Recycled++);
        }
    }

    private static List<string> ReadSplit(byte[] frame, IReadOnlyList<int> cuts, RecordDeserializer<string> deserializer)
    {
        var result = new List<string>();
        int start = 0;
        foreach (int end in cuts.Append(frame.Length))
        {
            var buffer = new CountingBuffer(frame.AsSpan(start, end - start));
            deserializer.SetNextBuffer(buffer.Buffer);
            while (deserializer.TryNext(out var record))
            {
                result.Add(record);
            }
            Assert.Equal(1, buffer.Recycled);
            start = end;
        }
        return result;
    }

    [Fact]
    public void Every_single_split_point_yields_the_same_records_and_recycles_each_buffer_once()
    {
        string[] records = ["", "a", "hello", new string('x', 70), "é€", ""];
        var frame = Frame(records);
        var deserializer = new RecordDeserializer<string>(Strings);
        for (int cut = 0; cut <= frame.Length; cut++)
        {
            Assert.Equal(records, ReadSplit(frame, [cut], deserializer));
            Assert.False(deserializer.HasPartialRecord);
        }
    }

    [Fact]
    public void Every_pair_of_split_points_yields_the_same_records()
    {
        string[] records = ["ab", "", "cdefg", "h"];
        var frame = Frame(records);
        var deserializer = new RecordDeserializer<string>(Strings);
        for (int first = 0; first <= frame.Length; first++)
        {
            for (int second = first; second <= frame.Length; second++)
            {
                Assert.Equal(records, ReadSplit(frame, [first, second], deserializer));
            }
        }
    }

    [Fact]
    public void A_record_spanning_many_small_buffers_is_joined_and_the_partial_state_is_visible()
    {
        string big = string.Concat(Enumerable.Range(0, 2000).Select(i => (char)('a' + i % 26)));
        var frame = Frame(["x", big, "y"]);
        var deserializer = new RecordDeserializer<string>(Strings);
        var cuts = Enumerable.Range(1, frame.Length / 37).Select(i => i * 37).ToList();
        Assert.Equal(["x", big, "y"], ReadSplit(frame, cuts, deserializer));

        // Feed only the first half: the record is partial and nothing is returned for it.
        var half = new CountingBuffer(frame.AsSpan(0, 1000));
        deserializer.SetNextBuffer(half.Buffer);
        Assert.True(deserializer.TryNext(out var first));
        Assert.Equal("x", first);
        Assert.False(deserializer.TryNext(out _));
        Assert.True(deserializer.HasPartialRecord);
        Assert.Equal(1, half.Recycled);
        deserializer.Clear();
        Assert.False(deserializer.HasPartialRecord);
    }

    [Fact]
    public void A_new_buffer_before_the_previous_is_read_is_rejected()
    {
        var frame = Frame(["a", "b"]);
        var deserializer = new RecordDeserializer<string>(Strings);
        var buffer = new CountingBuffer(frame);
        deserializer.SetNextBuffer(buffer.Buffer);
        Assert.True(deserializer.TryNext(out _));
        Assert.Throws<InvalidOperationException>(() => deserializer.SetNextBuffer(new CountingBuffer(frame).Buffer));
        deserializer.Clear();
        Assert.Equal(1, buffer.Recycled);
    }

    [Fact]
    public void A_serializer_that_reads_less_than_was_written_is_reported()
    {
        var frame = Frame(["abc"]);
        var deserializer = new RecordDeserializer<byte>(new UnmanagedSerializer<byte>());
        deserializer.SetNextBuffer(new CountingBuffer(frame).Buffer);
        var error = Assert.Throws<SerializationException>(() => deserializer.TryNext(out _));
        Assert.Contains("disagree", error.Message);
    }
}
