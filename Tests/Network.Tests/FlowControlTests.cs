using DataflowCompiler.Memory.Serialization;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

public sealed class FlowControlTests
{
    private const int SegmentSize = 1024;
    private const int LongRecordBytes = 4 + 8; // length prefix + long

    [Fact]
    public void A_slow_consumer_stalls_a_fast_producer_within_the_configured_buffers()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        using var cts = new CancellationTokenSource();
        var partition = new ResultPartition("fast source", 1, pool, settings, cts.Token);
        var gate = new InputGate("slow sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));
        int partitionBuffers = settings.PartitionBuffers(1);
        int gateBuffers = settings.GateBuffers(1);
        Assert.Equal(partitionBuffers + gateBuffers, pool.RentedSegments);

        const int total = 20_000;
        long emitted = 0;
        var failures = new List<Exception>();
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        var producer = Start(() =>
        {
            for (long i = 0; i < total; i++)
            {
                writer.Emit(i, 0);
                Volatile.Write(ref emitted, i + 1);
            }
            partition.Finish();
        }, failures);

        // The consumer has not read anything: the producer must stop once every buffer on both sides is full.
        WaitUntil(() => partition.IsProducerWaiting, "the producer to wait for a buffer");
        long stalledAt = Volatile.Read(ref emitted);
        int bytesInFlight = (partitionBuffers + gateBuffers) * SegmentSize;
        Assert.Equal(bytesInFlight / LongRecordBytes, stalledAt);
        Assert.Equal(gateBuffers, gate.GetChannel(0).QueuedBuffers); // exclusive and every floating buffer, by backlog
        Assert.Equal(partitionBuffers, partition.GetSubpartition(0).Backlog);
        Assert.Equal(0, partition.GetSubpartition(0).Credit);
        Assert.Equal(0, gate.AvailableFloatingBuffers);
        Assert.True(pool.RentedSegments <= partitionBuffers + gateBuffers);
        Assert.Equal(stalledAt, Volatile.Read(ref emitted)); // still blocked: nothing was freed

        // Read exactly one buffer: one credit, one shipped buffer, one buffer's worth more records.
        var reader = new Reader<long>(gate, new UnmanagedSerializer<long>());
        long waitsBefore = partition.BufferWaitCount;
        Assert.True(reader.TryStep());
        WaitUntil(() => partition.BufferWaitCount > waitsBefore, "the producer to stall again");
        Assert.Equal((bytesInFlight + SegmentSize) / LongRecordBytes, Volatile.Read(ref emitted));
        Assert.True(pool.RentedSegments <= partitionBuffers + gateBuffers);

        // Resume reading: everything arrives, in order.
        reader.ReadToEnd();
        Join(producer);
        Assert.Empty(failures);
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), reader.Records.Select(r => r.Record));
        Assert.Equal(EndOfPartitionEvent.Instance, Assert.Single(reader.Events).Event);

        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void A_blocked_channel_does_not_block_its_sibling_on_the_same_gate()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var gate = new InputGate("aligning sink", 2, pool, settings);
        var partitions = new ResultPartition[2];
        for (int p = 0; p < 2; p++)
        {
            partitions[p] = new ResultPartition($"source {p}", 1, pool, settings, CancellationToken.None);
            LocalChannel.Connect(partitions[p].GetSubpartition(0), gate.GetChannel(p));
        }
        gate.BlockChannel(0);
        Assert.True(gate.IsBlocked(0));

        const int total = 10_000; // far more than all buffers hold
        var failures = new List<Exception>();
        var producers = Enumerable.Range(0, 2).Select(p => Start(() =>
        {
            var writer = new RecordWriter<long>(partitions[p], new UnmanagedSerializer<long>());
            for (long i = 0; i < total; i++)
            {
                writer.Emit(i, 0);
            }
            partitions[p].Finish();
        }, failures)).ToList();

        var reader = new Reader<long>(gate, new UnmanagedSerializer<long>());
        reader.ReadUntil(() => gate.GetChannel(1).IsFinished);
        Assert.All(reader.Sequence, item => Assert.Equal(1, item.Channel));
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), reader.Records.Select(r => r.Record));

        // Channel 0 used its credits and stalled its producer, bounded by its buffers.
        WaitUntil(() => partitions[0].IsProducerWaiting, "the blocked channel's producer to stall");
        Assert.False(gate.GetChannel(0).IsFinished);
        Assert.InRange(gate.GetChannel(0).QueuedBuffers, settings.ExclusiveBuffersPerChannel, settings.GateBuffers(1));
        Assert.False(gate.TryGetNext(out _));

        gate.ResumeChannel(0);
        reader.ReadToEnd();
        producers.ForEach(Join);
        Assert.Empty(failures);
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), reader.Records.Where(r => r.Channel == 0).Select(r => r.Record));

        foreach (var partition in partitions)
        {
            partition.Release();
        }
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void A_stalled_subpartition_cannot_take_all_floating_partition_buffers()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        using var cts = new CancellationTokenSource();
        var partition = new ResultPartition("source", 2, pool, settings, cts.Token);
        var stalled = new InputGate("stalled sink", 1, pool, settings);
        var other = new InputGate("other sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), stalled.GetChannel(0));
        LocalChannel.Connect(partition.GetSubpartition(1), other.GetChannel(0));

        var failures = new List<Exception>();
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        writer.Emit(-1, 1); // a partial buffer on the sibling: it must be shipped before the producer blocks
        var producer = Start(() =>
        {
            for (long i = 0; ; i++)
            {
                writer.Emit(i, 0);
            }
        }, failures);

        WaitUntil(() => partition.IsProducerWaiting, "the producer to stall on subpartition 0");
        int cap = settings.MaxBuffersPerSubpartition(2);
        Assert.Equal(settings.BuffersPerSubpartition + settings.FloatingBuffersPerPartition / 2, cap);
        Assert.Equal(cap, partition.GetSubpartition(0).Backlog);
        Assert.Equal(settings.PartitionBuffers(2) - cap, partition.FreeSegments);
        Assert.Equal(1, other.GetChannel(0).QueuedBuffers);

        cts.Cancel();
        Join(producer);
        Assert.IsType<OperationCanceledException>(Assert.Single(failures));
        partition.Release();
        stalled.Release();
        other.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Flush_always_ships_every_record_in_its_own_buffer_and_flush_ships_partial_buffers()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));

        var eager = new RecordWriter<long>(partition, new UnmanagedSerializer<long>(), flushAlways: true);
        Assert.True(eager.FlushAlways);
        eager.Emit(1, 0);
        eager.Emit(2, 0);
        Assert.Equal(2, gate.GetChannel(0).QueuedBuffers);

        var lazy = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        lazy.Emit(3, 0);
        lazy.Emit(4, 0);
        Assert.Equal(2, gate.GetChannel(0).QueuedBuffers);
        lazy.Flush();
        Assert.Equal(3, gate.GetChannel(0).QueuedBuffers);
        lazy.Flush(); // nothing new: no empty buffer is shipped
        Assert.Equal(3, gate.GetChannel(0).QueuedBuffers);

        var sizes = new List<int>();
        while (gate.TryGetNext(out var next))
        {
            sizes.Add(next.Buffer!.Size);
            next.Buffer.Recycle();
        }
        Assert.Equal([LongRecordBytes, LongRecordBytes, 2 * LongRecordBytes], sizes);

        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Data_queued_before_connecting_is_shipped_on_connect_and_the_listener_runs()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        int notified = 0;
        gate.SetAvailabilityListener(() => Interlocked.Increment(ref notified));

        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        writer.Emit(7, 0);
        writer.Flush();
        Assert.Equal(1, partition.GetSubpartition(0).Backlog);
        Assert.Equal(0, notified);

        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));
        Assert.Equal(0, partition.GetSubpartition(0).Backlog);
        Assert.Equal(1, notified);
        Assert.Throws<InvalidOperationException>(() => LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0)));

        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }
}
