using System.Buffers;
using System.Buffers.Binary;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using FsCheck;
using FsCheck.Fluent;

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

    /// <summary>
    /// A stream of records cut into buffers; the consumer stops at the buffer <c>StopPercent</c> of the way in (after
    /// reading <c>ReadInStopBuffer</c> records of it, or before it when negative) and hands its partial state to a fresh
    /// deserializer, which reads the rest. Every random choice derives from <c>Seed</c>, so a failing case replays.
    /// </summary>
    public sealed record PartialScenario(int Records, int MaxRecordLength, int MaxBufferSize, int Seed, int StopPercent, int ReadInStopBuffer);

    private static readonly Gen<PartialScenario> PartialScenarios =
        from records in Gen.Choose(0, 40)
        from maxRecordLength in Gen.Elements(1, 5, 40, 300)
        from maxBufferSize in Gen.Elements(1, 3, 16, 64, 512)
        from seed in Gen.Choose(0, int.MaxValue)
        from stop in Gen.Choose(0, 100)
        from readInStopBuffer in Gen.Elements(-1, -1, 0, 1, 2)
        select new PartialScenario(records, maxRecordLength, maxBufferSize, seed, stop, readInStopBuffer);

    [Fact]
    public void Partial_record_bytes_restored_into_a_fresh_deserializer_continue_the_stream_exactly() =>
        Prop.ForAll(PartialScenarios.ToArbitrary(), PartialRoundTrip)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Fact]
    public void A_record_spanning_many_buffers_restores_from_every_cut() =>
        Enumerable.Range(0, 30).ToList().ForEach(stop => PartialRoundTrip(new PartialScenario(3, 300, 7, Seed: 11, StopPercent: stop * 100 / 29, -1)));

    internal static void PartialRoundTrip(PartialScenario s)
    {
        var random = new Random(s.Seed);
        var records = Enumerable.Range(0, s.Records)
            .Select(_ => new string((char)('a' + random.Next(26)), random.Next(s.MaxRecordLength + 1)) + (random.Next(4) == 0 ? "é" : ""))
            .ToList();
        var frame = Frame(records);
        var buffers = new List<byte[]>();
        for (int start = 0; start < frame.Length;)
        {
            int size = Math.Min(frame.Length - start, 1 + random.Next(s.MaxBufferSize));
            buffers.Add(frame[start..(start + size)]);
            start += size;
        }
        int stop = buffers.Count * s.StopPercent / 100; // buffers before it are read to their end

        var first = new RecordDeserializer<string>(Strings);
        var read = new List<string>();
        int consumed = 0;
        for (int i = 0; i < stop; i++)
        {
            first.SetNextBuffer(NetworkBuffer.CreateUnpooled(buffers[i]));
            while (first.TryNext(out var record))
            {
                read.Add(record);
            }
            consumed += buffers[i].Length;
        }
        if (s.ReadInStopBuffer >= 0 && stop < buffers.Count)
        {
            // Stop in the middle of a buffer: the unread rest belongs to the partial state too.
            var counting = new CountingBuffer(buffers[stop]);
            first.SetNextBuffer(counting.Buffer);
            for (int i = 0; i < s.ReadInStopBuffer && first.TryNext(out var record); i++)
            {
                read.Add(record);
            }
            consumed += buffers[stop].Length;
            stop++;
        }

        var partial = first.GetPartialRecordBytes();
        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(partial.Length, first.CopyPartialRecord(writer));
        Assert.Equal(partial, writer.WrittenSpan.ToArray());
        Assert.Equal(partial.Length, first.PartialRecordLength);
        // Exactly the bytes read but not yet turned into records: the records so far plus these are the consumed prefix.
        Assert.Equal(records.Take(read.Count), read);
        Assert.Equal(frame[..consumed], Frame(read).Concat(partial).ToArray());
        if (s.ReadInStopBuffer < 0)
        {
            // Between buffers: less than one whole record.
            Assert.Equal(partial.Length > 0, first.HasPartialRecord);
            Assert.True(partial.Length < 4 || partial.Length < 4 + BinaryPrimitives.ReadInt32LittleEndian(partial));
        }
        first.Clear();

        var second = new RecordDeserializer<string>(Strings);
        second.RestorePartialRecord(partial);
        while (second.TryNext(out var record))
        {
            read.Add(record); // whole records restored from the middle of a buffer
        }
        foreach (var buffer in buffers.Skip(stop))
        {
            var counting = new CountingBuffer(buffer);
            second.SetNextBuffer(counting.Buffer);
            while (second.TryNext(out var record))
            {
                read.Add(record);
            }
            Assert.Equal(1, counting.Recycled);
        }
        Assert.Equal(records, read);
        Assert.False(second.HasPartialRecord);
        Assert.Equal(0, second.PartialRecordLength);
        Assert.Empty(second.GetPartialRecordBytes());
    }

    [Fact]
    public void Restoring_into_a_deserializer_that_holds_data_is_rejected()
    {
        var frame = Frame(["abcdef"]);
        var deserializer = new RecordDeserializer<string>(Strings);
        deserializer.SetNextBuffer(new CountingBuffer(frame.AsSpan(0, 5)).Buffer);
        Assert.False(deserializer.TryNext(out _));
        Assert.True(deserializer.HasPartialRecord);
        Assert.Throws<InvalidOperationException>(() => deserializer.RestorePartialRecord(frame.AsSpan(0, 5)));
        deserializer.Clear();
        deserializer.RestorePartialRecord(frame.AsSpan(0, 5));
        deserializer.SetNextBuffer(new CountingBuffer(frame.AsSpan(5)).Buffer);
        Assert.True(deserializer.TryNext(out var record));
        Assert.Equal("abcdef", record);
    }

    [Fact]
    public void An_unpooled_buffer_holds_a_copy_and_recycles_to_nothing()
    {
        byte[] bytes = [1, 2, 3];
        var buffer = NetworkBuffer.CreateUnpooled(bytes);
        bytes[0] = 9;
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer.Data.ToArray());
        Assert.Null(buffer.Segment.Owner);
        buffer.Recycle();
        Assert.Equal(0, NetworkBuffer.CreateUnpooled([]).Size);
    }
}
