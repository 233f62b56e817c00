using BenchmarkDotNet.Attributes;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// The state access of a rolling keyed sum on its own (no job, no exchange): <c>SetCurrentKey</c> and a
/// read-modify-write of a <c>(long Key, long Value)</c> value state over 100 000 keys, as the interpreted
/// <c>StreamGroupedReduce</c> does it (<c>HasValue</c> + <c>Value</c> + <c>Update</c>: three probes) and as the fused
/// chain did it before flat state (<see cref="InPlaceValueState{T}"/>: one probe, the value read and written in the
/// segment) and as it does it now (<see cref="FlatValueState{TKey, TValue}"/>: one probe of a flat table, no
/// <c>SetCurrentKey</c>).
/// One operation is one record; the state is warm (every key exists).
/// </summary>
[MemoryDiagnoser]
public class KeyedStateBenchmarks
{
    private const int Records = 1_000_000;
    private const long Keys = 100_000;

    private MemorySegmentPool _pool = null!;
    private BinaryKeyedStateBackend<long> _backend = null!;
    private IValueState<(long Key, long Value)> _state = null!;
    private InPlaceValueState<(long Key, long Value)> _inPlace = null!;
    private BinaryKeyedStateBackend<long> _flatBackend = null!;
    private FlatValueState<long, (long Key, long Value)> _flat = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new MemorySegmentPool(64 << 20, MemorySegment.DefaultSize, "managed");
        _backend = new BinaryKeyedStateBackend<long>("sum", new KeyGroupRange(0, 127), 128, _pool, new SerializerRegistry());
        _inPlace = _backend.GetInPlaceValueState(new ValueStateDescriptor<(long Key, long Value)>("_op_state"));
        _state = _inPlace.State;
        for (long key = 0; key < Keys; key++)
        {
            _backend.SetCurrentKey(key);
            _state.Update((key, 0));
        }
        _flatBackend = new BinaryKeyedStateBackend<long>("sum", new KeyGroupRange(0, 127), 128, _pool, new SerializerRegistry());
        _flat = FlatValueState<long, (long Key, long Value)>.TryCreate(_flatBackend, new ValueStateDescriptor<(long Key, long Value)>("_op_state"))!;
        for (long key = 0; key < Keys; key++)
        {
            _flat.GetOrAdd(key, out _) = (key, 0);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _backend.Dispose();
        _flatBackend.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long ThreeProbes()
    {
        long checksum = 0;
        long i = _next;
        for (int n = 0; n < Records; n++, i++)
        {
            var record = (Key: i % Keys, Value: i & 15);
            _backend.SetCurrentKey(record.Key);
            var result = _state.HasValue ? Sum(_state.Value(), record) : record;
            _state.Update(result);
            checksum += result.Value;
        }
        _next = i;
        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long OneProbeInPlace()
    {
        long checksum = 0;
        long i = _next;
        for (int n = 0; n < Records; n++, i++)
        {
            var record = (Key: i % Keys, Value: i & 15);
            _backend.SetCurrentKey(record.Key);
            var result = _inPlace.TryGetValue(out var acc) ? Sum(acc, record) : record;
            _inPlace.Update(result);
            checksum += result.Value;
        }
        _next = i;
        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long Flat()
    {
        long checksum = 0;
        long i = _next;
        for (int n = 0; n < Records; n++, i++)
        {
            var record = (Key: i % Keys, Value: i & 15);
            ref var slot = ref _flat.GetOrAdd(record.Key, out bool exists);
            var result = exists ? Sum(slot, record) : record;
            slot = result;
            checksum += result.Value;
        }
        _next = i;
        return checksum;
    }

    private static (long Key, long Value) Sum((long Key, long Value) acc, (long Key, long Value) value) => acc with { Value = acc.Value + value.Value };
}
