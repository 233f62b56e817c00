using DataflowCompiler.Memory.Serialization;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

public sealed class EventAndReleaseTests
{
    private const int SegmentSize = 64; // 5 long records per buffer

    private static (ResultPartition Partition, InputGate Gate) Pair(Memory.MemorySegmentPool pool, NetworkSettings settings, CancellationToken cancellation = default)
    {
        var partition = new ResultPartition("source", 1, pool, settings, cancellation);
        var gate = new InputGate("sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));
        return (partition, gate);
    }

    [Fact]
    public void Events_wait_behind_buffers_that_lack_credit_and_arrive_in_order()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());

        // 61 records = 732 bytes: 11 full buffers and a partial one, which the event finishes.
        // The receiver has only 10 credits, so 2 buffers and then the event wait in the backlog.
        for (long i = 0; i < 61; i++)
        {
            writer.Emit(i, 0);
        }
        partition.BroadcastEvent(new TestEvent(1));
        Assert.Equal(settings.GateBuffers(1), gate.GetChannel(0).QueuedBuffers);
        Assert.Equal(2, partition.GetSubpartition(0).Backlog);

        for (long i = 61; i < 70; i++)
        {
            writer.Emit(i, 0);
        }
        partition.Finish();
        Assert.Throws<InvalidOperationException>(() => writer.Emit(99, 0));
        Assert.Throws<InvalidOperationException>(() => partition.BroadcastEvent(new TestEvent(2)));
        partition.Finish(); // again: nothing more is sent

        var reader = new Reader<long>(gate, new UnmanagedSerializer<long>());
        reader.ReadToEnd();
        var expected = Enumerable.Range(0, 61).Select(i => (object)(long)i)
            .Append("TestEvent(1)")
            .Concat(Enumerable.Range(61, 9).Select(i => (object)(long)i))
            .Append("EndOfPartition");
        Assert.Equal(expected, reader.Sequence.Select(item => item.Item is RuntimeEvent e ? e.ToString()! : item.Item));
        Assert.True(gate.GetChannel(0).IsFinished);
        Assert.True(gate.IsFinished);
        Assert.False(gate.TryGetNext(out _));

        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void The_gate_is_finished_only_when_every_channel_delivered_end_of_partition()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var gate = new InputGate("sink", 2, pool, settings);
        var first = new ResultPartition("a", 1, pool, settings, CancellationToken.None);
        var second = new ResultPartition("b", 1, pool, settings, CancellationToken.None);
        LocalChannel.Connect(first.GetSubpartition(0), gate.GetChannel(0));
        LocalChannel.Connect(second.GetSubpartition(0), gate.GetChannel(1));

        first.Finish();
        Assert.True(gate.TryGetNext(out var end));
        Assert.Same(EndOfPartitionEvent.Instance, end.Event);
        Assert.Equal(0, end.ChannelIndex);
        Assert.True(gate.GetChannel(0).IsFinished);
        Assert.False(gate.IsFinished);
        Assert.False(gate.TryGetNext(out _));

        second.Finish();
        Assert.True(gate.TryGetNext(out end));
        Assert.Equal(1, end.ChannelIndex);
        Assert.True(gate.IsFinished);

        first.Release();
        second.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Channels_with_data_take_turns()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var gate = new InputGate("sink", 2, pool, settings);
        var partitions = new ResultPartition[2];
        for (int p = 0; p < 2; p++)
        {
            partitions[p] = new ResultPartition($"source {p}", 1, pool, settings, CancellationToken.None);
            LocalChannel.Connect(partitions[p].GetSubpartition(0), gate.GetChannel(p));
            var writer = new RecordWriter<long>(partitions[p], new UnmanagedSerializer<long>(), flushAlways: true);
            for (int i = 0; i < 3; i++)
            {
                writer.Emit(i, 0);
            }
        }
        var order = new List<int>();
        while (gate.TryGetNext(out var next))
        {
            order.Add(next.ChannelIndex);
            next.Buffer!.Recycle();
        }
        Assert.Equal([0, 1, 0, 1, 0, 1], order);

        foreach (var partition in partitions)
        {
            partition.Release();
        }
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Recycling_a_buffer_twice_is_an_error()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>(), flushAlways: true);
        for (int i = 0; i < 4; i++)
        {
            writer.Emit(i, 0); // buffers 3 and 4 use floating credit
        }
        var taken = new List<NetworkBuffer>();
        while (gate.TryGetNext(out var next))
        {
            taken.Add(next.Buffer!);
        }
        Assert.Equal(4, taken.Count);
        foreach (var buffer in taken)
        {
            buffer.Recycle();
            Assert.Throws<InvalidOperationException>(buffer.Recycle);
        }
        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Release_returns_everything_and_is_idempotent_even_with_queued_and_backlogged_data()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        for (long i = 0; i < 73; i++)
        {
            writer.Emit(i, 0); // receiver full, backlog queued and a partial current buffer
        }
        Assert.True(partition.GetSubpartition(0).Backlog > 0);
        Assert.True(gate.GetChannel(0).QueuedBuffers > 0);
        Assert.True(pool.AvailableSegments < pool.TotalSegments);

        gate.Release();
        gate.Release();
        partition.Release();
        partition.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        Assert.False(gate.TryGetNext(out _));
        Assert.Throws<InvalidOperationException>(() => writer.Emit(1, 0));
    }

    [Fact]
    public void Cancelling_a_producer_that_waits_for_a_buffer_throws_and_release_returns_everything()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        using var cts = new CancellationTokenSource();
        var (partition, gate) = Pair(pool, settings, cts.Token);
        var failures = new List<Exception>();
        var producer = Start(() =>
        {
            try
            {
                var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
                for (long i = 0; ; i++)
                {
                    writer.Emit(i, 0);
                }
            }
            finally
            {
                partition.Release(); // the task's cleanup, on its own thread
            }
        }, failures);

        WaitUntil(() => partition.IsProducerWaiting, "the producer to wait for a buffer");
        cts.Cancel();
        Join(producer);
        Assert.IsType<OperationCanceledException>(Assert.Single(failures));
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_consumer_that_stops_early_gets_everything_back_whether_it_clears_before_or_after_release(bool clearFirst)
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var (partition, gate) = Pair(pool, settings);
        var failures = new List<Exception>();
        var producer = Start(() =>
        {
            var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
            for (long i = 0; ; i++)
            {
                writer.Emit(i, 0);
            }
        }, failures);
        WaitUntil(() => partition.IsProducerWaiting, "the producer to fill every buffer");

        // Read two exclusive buffers and part of a floating one, then stop.
        var deserializer = new RecordDeserializer<long>(new UnmanagedSerializer<long>());
        long expected = 0;
        for (int i = 0; i < 3; i++)
        {
            Assert.True(gate.TryGetNext(out var next));
            deserializer.SetNextBuffer(next.Buffer!);
            Assert.True(deserializer.TryNext(out long record));
            Assert.Equal(expected++, record);
            while (i < 2 && deserializer.TryNext(out record))
            {
                Assert.Equal(expected++, record);
            }
        }
        if (clearFirst)
        {
            deserializer.Clear();
            gate.Release();
        }
        else
        {
            gate.Release();
            Assert.Equal(pool.TotalSegments - settings.PartitionBuffers(1) - 1, pool.AvailableSegments); // one buffer is still read by the task
            deserializer.Clear();
        }

        // The producer keeps waiting (its consumer is gone) until the partition is released under it.
        WaitUntil(() => partition.IsProducerWaiting, "the producer to wait again");
        partition.Release();
        Join(producer);
        var failure = Assert.Single(failures);
        Assert.IsType<InvalidOperationException>(failure);
        Assert.Contains("released", failure.Message);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Reserving_more_buffers_than_the_pool_has_fails_fast_and_leaks_nothing()
    {
        var settings = new NetworkSettings();
        var pool = Pool(15, SegmentSize);
        var partition = new ResultPartition("map (1/2)", 1, pool, settings, CancellationToken.None);
        var error = Assert.Throws<InvalidOperationException>(() => new InputGate("sink (2/2)", 1, pool, settings));
        Assert.Contains("sink (2/2)", error.Message);
        Assert.Contains("needs 10 network buffers", error.Message);
        Assert.Contains("only 5 of 15", error.Message);
        Assert.Equal(5, pool.AvailableSegments);

        error = Assert.Throws<InvalidOperationException>(() => new ResultPartition("map (2/2)", 2, pool, settings, CancellationToken.None));
        Assert.Contains("map (2/2)", error.Message);
        Assert.Contains("needs 12", error.Message);
        partition.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);

        Assert.Throws<ArgumentOutOfRangeException>(() => new InputGate("g", 1, pool, settings with { ExclusiveBuffersPerChannel = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResultPartition("p", 1, pool, settings with { BuffersPerSubpartition = 0 }, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResultPartition("p", 0, pool, settings, default));
    }
}
