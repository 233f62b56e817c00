using System.Buffers.Binary;
using DataflowCompiler.Memory.Serialization;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

public sealed class PriorityEventTests
{
    private const int SegmentSize = 64; // 5⅓ long records (12 bytes with the prefix) per buffer

    private static (ResultPartition Partition, InputGate Gate) Pair(Memory.MemorySegmentPool pool, NetworkSettings settings)
    {
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));
        return (partition, gate);
    }

    /// <summary>The bytes a <see cref="RecordWriter{T}"/> writes for these longs.</summary>
    private static byte[] Frame(IEnumerable<long> records)
    {
        var bytes = new List<byte>();
        foreach (long record in records)
        {
            var frame = new byte[12];
            BinaryPrimitives.WriteInt32LittleEndian(frame, 8);
            BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(4), record);
            bytes.AddRange(frame);
        }
        return [.. bytes];
    }

    /// <summary>Takes everything the gate has right now: buffers as copies of their bytes (then recycled), events as themselves.</summary>
    private static List<(int Channel, object Item)> Drain(InputGate gate)
    {
        var items = new List<(int, object)>();
        while (gate.TryGetNext(out var next))
        {
            if (next.IsBuffer)
            {
                items.Add((next.ChannelIndex, next.Buffer!.Data.ToArray()));
                next.Buffer.Recycle();
            }
            else
            {
                items.Add((next.ChannelIndex, next));
            }
        }
        return items;
    }

    private static void AssertPriority(object item, int id, int overtaken)
    {
        var e = Assert.IsType<BufferOrEvent>(item);
        Assert.True(e.IsPriority);
        Assert.Equal(id, Assert.IsType<TestEvent>(e.Event).Id);
        Assert.Equal(overtaken, e.OvertakenBuffers);
    }

    private static void AssertReleasesEverything(Memory.MemorySegmentPool pool, InputGate gate, params ResultPartition[] partitions)
    {
        foreach (var partition in partitions)
        {
            partition.Release();
        }
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void A_priority_event_overtakes_a_full_subpartition_queue_and_every_buffer_still_arrives_in_order()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());

        // 106 records = 1272 bytes: 19 full buffers and 56 bytes in the current one. The receiver holds 10 (all its
        // credit), the subpartition the other 9 and its current buffer: every segment of the partition, so the
        // next record would wait.
        for (long i = 0; i < 106; i++)
        {
            writer.Emit(i, 0);
        }
        var subpartition = partition.GetSubpartition(0);
        Assert.Equal(0, partition.FreeSegments);
        Assert.Equal(9, subpartition.Backlog);
        Assert.Equal(settings.GateBuffers(1), gate.GetChannel(0).QueuedBuffers);
        Assert.Equal(0, subpartition.Credit);

        var overtaken = partition.BroadcastPriorityEvent(new TestEvent(7));

        var copies = Assert.Single(overtaken);
        Assert.Equal(10, copies.Length); // the 9 queued and the current one, which the event finished
        Assert.Equal(10, subpartition.Backlog); // still queued, still to be shipped
        Assert.Equal(56, copies[^1].Length);

        // The consumer takes the event before any of the 10 buffers it already holds.
        var items = Drain(gate);
        AssertPriority(items[0].Item, 7, overtaken: 10);
        var buffers = items.Skip(1).Select(item => Assert.IsType<byte[]>(item.Item)).ToList();
        Assert.Equal(20, buffers.Count);
        // The copies are exactly the buffers the event overtook on the producer side, in order.
        Assert.Equal(copies, buffers.Skip(10));
        // Consumer's share, then producer's share: together the whole stream before the event.
        Assert.Equal(Frame(Enumerable.Range(0, 106).Select(i => (long)i)), buffers.SelectMany(b => b).ToArray());

        // The exchange goes on normally afterwards: a plain event keeps its place among records.
        for (long i = 106; i < 120; i++)
        {
            writer.Emit(i, 0);
        }
        partition.BroadcastEvent(new TestEvent(8));
        writer.Emit(120, 0);
        partition.Finish();
        var reader = new Reader<long>(gate, new UnmanagedSerializer<long>());
        reader.ReadToEnd();
        Assert.Equal(
            Enumerable.Range(106, 14).Select(i => (object)(long)i).Append("TestEvent(8)").Append(120L).Append("EndOfPartition"),
            reader.Sequence.Select(item => item.Item is RuntimeEvent e ? e.ToString()! : item.Item));
        // Credit and segments are back where they started: nothing was lost or counted twice by the overtaking.
        Assert.Equal(settings.PartitionBuffers(1), partition.FreeSegments);
        Assert.Equal(settings.ExclusiveBuffersPerChannel, gate.GetChannel(0).Credit);
        Assert.Equal(settings.FloatingBuffersPerGate, gate.AvailableFloatingBuffers);
        AssertReleasesEverything(pool, gate, partition);
    }

    [Fact]
    public void Overtaken_buffers_count_only_buffers_in_the_channels_received_queue()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>(), flushAlways: true);

        // Nothing in flight at all.
        var overtaken = partition.BroadcastPriorityEvent(new TestEvent(1));
        Assert.Empty(Assert.Single(overtaken));
        var items = Drain(gate);
        AssertPriority(Assert.Single(items).Item, 1, overtaken: 0);

        // Two buffers, a plain event, one buffer, all received and not taken: the plain event is not counted.
        writer.Emit(0, 0);
        writer.Emit(1, 0);
        partition.BroadcastEvent(new TestEvent(2));
        writer.Emit(2, 0);
        overtaken = partition.BroadcastPriorityEvent(new TestEvent(3));
        Assert.Empty(Assert.Single(overtaken));
        items = Drain(gate);
        Assert.Equal(5, items.Count);
        AssertPriority(items[0].Item, 3, overtaken: 3);
        Assert.Equal(Frame([0]), items[1].Item);
        Assert.Equal(Frame([1]), items[2].Item);
        var plain = Assert.IsType<BufferOrEvent>(items[3].Item);
        Assert.False(plain.IsPriority);
        Assert.Equal(0, plain.OvertakenBuffers);
        Assert.Equal(2, Assert.IsType<TestEvent>(plain.Event).Id);
        Assert.Equal(Frame([2]), items[4].Item);

        // The task holds every buffer it took: no credit, the received queue is empty, the producer's queue is not.
        for (long i = 3; i < 15; i++)
        {
            writer.Emit(i, 0);
        }
        var held = new List<NetworkBuffer>();
        while (gate.TryGetNext(out var next))
        {
            held.Add(next.Buffer!);
        }
        Assert.Equal(settings.GateBuffers(1), held.Count);
        Assert.Equal(2, partition.GetSubpartition(0).Backlog);
        overtaken = partition.BroadcastPriorityEvent(new TestEvent(4));
        Assert.Equal([Frame([13]), Frame([14])], Assert.Single(overtaken));
        held.ForEach(buffer => buffer.Recycle()); // credit comes back: the two buffers ship, behind the event
        items = Drain(gate);
        Assert.Equal(3, items.Count);
        AssertPriority(items[0].Item, 4, overtaken: 0);
        Assert.Equal(Frame([13]), items[1].Item);
        Assert.Equal(Frame([14]), items[2].Item);

        // Two priority events in a row keep their order; each counts what it jumped over when it arrived.
        writer.Emit(15, 0);
        partition.BroadcastPriorityEvent(new TestEvent(5));
        writer.Emit(16, 0);
        partition.BroadcastPriorityEvent(new TestEvent(6));
        items = Drain(gate);
        Assert.Equal(4, items.Count);
        AssertPriority(items[0].Item, 5, overtaken: 1);
        AssertPriority(items[1].Item, 6, overtaken: 2);
        Assert.Equal(Frame([15]), items[2].Item);
        Assert.Equal(Frame([16]), items[3].Item);

        partition.Finish();
        Assert.Throws<InvalidOperationException>(() => partition.BroadcastPriorityEvent(new TestEvent(9)));
        AssertReleasesEverything(pool, gate, partition);
    }

    [Fact]
    public void A_priority_event_sent_before_the_channel_is_connected_arrives_first()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>(), flushAlways: true);
        writer.Emit(0, 0);
        var overtaken = partition.BroadcastPriorityEvent(new TestEvent(1));
        Assert.Equal([Frame([0])], Assert.Single(overtaken));

        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));
        var items = Drain(gate);
        Assert.Equal(2, items.Count);
        AssertPriority(items[0].Item, 1, overtaken: 0);
        Assert.Equal(Frame([0]), items[1].Item);
        AssertReleasesEverything(pool, gate, partition);
    }

    [Fact]
    public void A_priority_event_is_handed_out_before_data_waiting_on_other_channels()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var gate = new InputGate("sink", 2, pool, settings);
        var partitions = new ResultPartition[2];
        var writers = new RecordWriter<long>[2];
        for (int p = 0; p < 2; p++)
        {
            partitions[p] = new ResultPartition($"source {p}", 1, pool, settings, CancellationToken.None);
            LocalChannel.Connect(partitions[p].GetSubpartition(0), gate.GetChannel(p));
            writers[p] = new RecordWriter<long>(partitions[p], new UnmanagedSerializer<long>(), flushAlways: true);
            for (int i = 0; i < 3; i++)
            {
                writers[p].Emit(p * 10 + i, 0);
            }
        }
        // Channel 0 served once: it is now behind channel 1 in the round robin.
        Assert.True(gate.TryGetNext(out var first));
        Assert.Equal(0, first.ChannelIndex);
        first.Buffer!.Recycle();

        partitions[0].BroadcastPriorityEvent(new TestEvent(1));
        var items = Drain(gate);
        Assert.Equal(0, items[0].Channel);
        AssertPriority(items[0].Item, 1, overtaken: 2);
        Assert.Equal([1, 0, 1, 0, 1], items.Skip(1).Select(item => item.Channel));
        Assert.Equal([Frame([10]), Frame([1]), Frame([11]), Frame([2]), Frame([12])], items.Skip(1).Select(item => item.Item));

        // A blocked channel (aligned mode) still lets its priority event through, but not its data.
        writers[1].Emit(13, 0);
        gate.BlockChannel(1);
        writers[0].Emit(3, 0);
        partitions[1].BroadcastPriorityEvent(new TestEvent(2));
        items = Drain(gate);
        Assert.Equal(2, items.Count);
        Assert.Equal(1, items[0].Channel);
        AssertPriority(items[0].Item, 2, overtaken: 1);
        Assert.Equal(0, items[1].Channel);
        Assert.Equal(Frame([3]), items[1].Item);
        Assert.True(gate.IsBlocked(1));
        gate.ResumeChannel(1);
        items = Drain(gate);
        Assert.Equal(1, Assert.Single(items).Channel);
        Assert.Equal(Frame([13]), items[0].Item);

        AssertReleasesEverything(pool, gate, partitions);
    }

    [Fact]
    public void Releasing_the_gate_with_priority_events_queued_returns_every_segment()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        for (long i = 0; i < 100; i++)
        {
            writer.Emit(i, 0);
        }
        partition.BroadcastPriorityEvent(new TestEvent(1));
        gate.Release();
        Assert.False(gate.TryGetNext(out _));
        // The receiver is gone: the event is dropped, the producer still gets its copies.
        Assert.NotEmpty(Assert.Single(partition.BroadcastPriorityEvent(new TestEvent(2))));
        partition.Release();
        Assert.Throws<InvalidOperationException>(() => partition.BroadcastPriorityEvent(new TestEvent(3)));
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }
}
