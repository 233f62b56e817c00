using BenchmarkDotNet.Attributes;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// Checkpoints of the binary keyed state backend: 1 M int keys in a value state, 1 % of them changed per checkpoint
/// interval. One operation is one interval: the 10 000 updates, then the synchronous phase (copy-on-write pins), the
/// asynchronous phase (streamed into a byte-counting sink) and the confirmation. The baseline writes a full snapshot
/// every time; the incremental one writes the changes since the last confirmed snapshot. <c>Restore</c> rebuilds a
/// backend from a full snapshot held in memory. The snapshot sizes are printed as "// snapshot bytes" lines.
/// </summary>
[MemoryDiagnoser]
public class CheckpointBenchmarks
{
    private const int Keys = 1_000_000;
    private const int ChangedPerInterval = Keys / 100;

    private MemorySegmentPool _pool = null!;
    private BinaryKeyedStateBackend<int> _backend = null!;
    private IValueState<long> _state = null!;
    private byte[] _fullSnapshot = [];
    private long _checkpointId;
    private int _offset;
    private long _lastBytes;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new MemorySegmentPool(512L << 20, MemorySegment.DefaultSize, "managed");
        _backend = NewBackend();
        _state = _backend.GetValueState(new ValueStateDescriptor<long>("count"));
        for (int key = 0; key < Keys; key++)
        {
            _backend.SetCurrentKey(key);
            _state.Update(key);
        }
        var full = _backend.Snapshot(++_checkpointId, incremental: false);
        var stream = new MemoryStream();
        full.WriteTo(stream);
        full.Release();
        _backend.NotifyCheckpointComplete(_checkpointId);
        _fullSnapshot = stream.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// snapshot bytes: full {_fullSnapshot.Length}, last one written by this benchmark {_lastBytes}");
        _backend.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long FullSnapshot() => Interval(incremental: false);

    [Benchmark]
    public long IncrementalSnapshot() => Interval(incremental: true);

    [Benchmark]
    public long Restore()
    {
        var backend = NewBackend();
        backend.Restore([[() => new MemoryStream(_fullSnapshot, writable: false)]]);
        backend.GetValueState(new ValueStateDescriptor<long>("count")); // adopts the restored table
        long entries = backend.EntryCount;
        backend.Dispose();
        return entries;
    }

    private long Interval(bool incremental)
    {
        for (int i = 0; i < ChangedPerInterval; i++)
        {
            int key = (_offset + (i * 100)) % Keys;
            _backend.SetCurrentKey(key);
            _state.Update(_checkpointId);
        }
        _offset = (_offset + 1) % 100;
        var snapshot = _backend.Snapshot(++_checkpointId, incremental);
        snapshot.WriteTo(Stream.Null);
        snapshot.Release();
        _backend.NotifyCheckpointComplete(_checkpointId);
        _lastBytes = snapshot.BytesWritten;
        return _lastBytes;
    }

    private BinaryKeyedStateBackend<int> NewBackend() =>
        new("checkpointed-sum", new KeyGroupRange(0, 127), 128, _pool, new SerializerRegistry());
}
