using System.Buffers.Binary;
using DataflowCompiler.Memory.Serialization;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

public sealed class RecoveredChannelStateTests
{
    private const int SegmentSize = 64;

    private static byte[] Frame(int from, int count)
    {
        var frame = new byte[count * 12];
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(i * 12), 8);
            BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(i * 12 + 4), from + i);
        }
        return frame;
    }

    /// <summary>Raw bytes of every buffer the gate has right now (recycled after copying), failing on events.</summary>
    private static List<byte[]> DrainBuffers(InputGate gate)
    {
        var buffers = new List<byte[]>();
        while (gate.TryGetNext(out var next))
        {
            if (next.IsBuffer)
            {
                buffers.Add(next.Buffer!.Data.ToArray());
                next.Buffer.Recycle();
            }
            else
            {
                Assert.Same(EndOfPartitionEvent.Instance, next.Event);
            }
        }
        return buffers;
    }

    [Fact]
    public void Recovered_buffers_are_shipped_first_in_order_and_cut_at_segment_boundaries()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        var subpartition = partition.GetSubpartition(0);

        // Persisted in-flight bytes of records 0..19: chunk boundaries fall inside records, one chunk is empty
        // and two are longer than a segment.
        var recovered = Frame(0, 20);
        int[] chunks = [10, 64, 0, 100, 66];
        int start = 0;
        foreach (int length in chunks)
        {
            subpartition.AddRecoveredBuffer(recovered.AsSpan(start, length));
            start += length;
        }
        Assert.Equal(recovered.Length, start);
        Assert.Equal(6, subpartition.Backlog);

        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        for (long i = 20; i < 30; i++)
        {
            writer.Emit(i, 0);
        }
        partition.Finish();
        LocalChannel.Connect(subpartition, gate.GetChannel(0));

        var buffers = DrainBuffers(gate);
        Assert.Equal([10, 64, 64, 36, 64, 2], buffers.Take(6).Select(b => b.Length));
        Assert.Equal(recovered, buffers.Take(6).SelectMany(b => b).ToArray());
        Assert.Equal(Frame(0, 30), buffers.SelectMany(b => b).ToArray());

        // The consumer side feeds raw bytes through the normal deserializer path.
        var deserializer = new RecordDeserializer<long>(new UnmanagedSerializer<long>());
        var records = new List<long>();
        foreach (var buffer in buffers)
        {
            deserializer.SetNextBuffer(NetworkBuffer.CreateUnpooled(buffer));
            while (deserializer.TryNext(out long record))
            {
                records.Add(record);
            }
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), records);

        Assert.True(gate.IsFinished);
        Assert.Equal(settings.PartitionBuffers(1), partition.FreeSegments);
        Assert.Equal(settings.ExclusiveBuffersPerChannel, gate.GetChannel(0).Credit);
        Assert.Equal(settings.FloatingBuffersPerGate, gate.AvailableFloatingBuffers);
        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Recovering_more_buffers_than_the_budget_waits_for_credit_like_a_write()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));

        // 32 segments of recovered bytes, 12 more than the partition and the gate hold together.
        var recovered = Frame(0, 32 * SegmentSize / 12);
        var failures = new List<Exception>();
        var producer = Start(() =>
        {
            for (int start = 0; start < recovered.Length; start += SegmentSize)
            {
                partition.GetSubpartition(0).AddRecoveredBuffer(recovered.AsSpan(start, Math.Min(SegmentSize, recovered.Length - start)));
            }
            new RecordWriter<long>(partition, new UnmanagedSerializer<long>()).Emit(-1, 0);
            partition.Finish();
        }, failures);
        WaitUntil(() => partition.IsProducerWaiting, "the producer to wait for a buffer");
        Assert.Equal(settings.GateBuffers(1), gate.GetChannel(0).QueuedBuffers);
        Assert.Equal(settings.PartitionBuffers(1), partition.GetSubpartition(0).Backlog);

        var reader = new Reader<long>(gate, new UnmanagedSerializer<long>());
        reader.ReadToEnd();
        Join(producer);
        Assert.Empty(failures);
        Assert.Equal(Enumerable.Range(0, recovered.Length / 12).Select(i => (long)i).Append(-1), reader.Records.Select(r => r.Record));

        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Recovered_buffers_after_records_or_after_finish_are_rejected()
    {
        var settings = new NetworkSettings();
        var pool = Pool(64, SegmentSize);
        var partition = new ResultPartition("map (1/2)", 1, pool, settings, CancellationToken.None);
        var writer = new RecordWriter<long>(partition, new UnmanagedSerializer<long>());
        writer.Emit(1, 0);
        var error = Assert.Throws<InvalidOperationException>(() => partition.GetSubpartition(0).AddRecoveredBuffer(Frame(0, 1)));
        Assert.Contains("map (1/2)", error.Message);
        partition.Finish();
        Assert.Throws<InvalidOperationException>(() => partition.GetSubpartition(0).AddRecoveredBuffer(Frame(0, 1)));
        partition.Release();
        Assert.Throws<InvalidOperationException>(() => partition.GetSubpartition(0).AddRecoveredBuffer(Frame(0, 1)));
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }
}
