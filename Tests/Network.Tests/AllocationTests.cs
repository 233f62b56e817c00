using DataflowCompiler.Memory.Serialization;
using static DataflowCompiler.Network.Tests.TestSupport;

namespace DataflowCompiler.Network.Tests;

/// <summary>Runs alone: allocation counters must not see other tests' work.</summary>
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTestsCollection;

[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    [Fact]
    public void Emitting_and_consuming_16_byte_records_allocates_nothing_per_record_in_steady_state()
    {
        var settings = new NetworkSettings();
        var pool = Pool(32, 4096);
        var partition = new ResultPartition("source", 1, pool, settings, CancellationToken.None);
        var gate = new InputGate("sink", 1, pool, settings);
        LocalChannel.Connect(partition.GetSubpartition(0), gate.GetChannel(0));
        var writer = new RecordWriter<Rec16>(partition, new UnmanagedSerializer<Rec16>());
        var deserializer = new RecordDeserializer<Rec16>(new UnmanagedSerializer<Rec16>());

        // One thread plays both tasks: a batch (about 5 buffers, within the credit) is emitted, flushed, then read.
        const int batch = 1_000;
        long checksum = 0;
        long expectedChecksum = 0;
        void RunBatches(int batches)
        {
            for (int b = 0; b < batches; b++)
            {
                for (int i = 0; i < batch; i++)
                {
                    writer.Emit(new Rec16(i, b), 0);
                    expectedChecksum += i + b;
                }
                writer.Flush();
                while (gate.TryGetNext(out var next))
                {
                    deserializer.SetNextBuffer(next.Buffer!);
                    while (deserializer.TryNext(out var record))
                    {
                        checksum += record.Key + record.Value;
                    }
                }
            }
        }

        RunBatches(200); // warm-up: queues reach their capacity, the JIT settles
        // Both tasks run on this thread, so its own counter sees every allocation of the exchange and none of
        // the runtime's background threads (tiered JIT, test runner); the process-wide figure is reported too.
        long totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunBatches(100);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long totalAllocated = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;

        Assert.Equal(expectedChecksum, checksum);
        double perRecord = (double)allocated / (100 * batch);
        Assert.True(perRecord < 1, $"Allocated {allocated} bytes for {100 * batch} records ({perRecord:F3} bytes per record; process-wide {totalAllocated}).");

        partition.Release();
        gate.Release();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }
}
