using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// The one-probe read-modify-write view of value state that fused rolling aggregates use, and the raw key path of
/// <see cref="BinaryKeyedStateBackend{TKey}.SetCurrentKey"/>. Random interleavings with the ordinary state are in
/// <see cref="KeyedStateModelTests"/>.
/// </summary>
public sealed class InPlaceValueStateTests
{
    private static readonly KeyGroupRange AllGroups = new(0, 127);

    [Fact]
    public void A_rolling_sum_of_pairs_is_kept_in_place_and_read_back_through_the_ordinary_state()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = new BinaryKeyedStateBackend<long>("sum", AllGroups, 128, pool, new SerializerRegistry());
        var sums = backend.GetInPlaceValueState(new ValueStateDescriptor<(long Key, long Value)>("_op_state"));
        Assert.True(sums.IsFixedSize); // a pair of longs: the tuple serializer has a fixed size
        Assert.Same(sums.State, backend.GetValueState(new ValueStateDescriptor<(long Key, long Value)>("_op_state")));
        for (long i = 0; i < 3000; i++)
        {
            var record = (Key: i % 100, Value: i);
            backend.SetCurrentKey(record.Key);
            var result = sums.TryGetValue(out var acc) ? acc with { Value = acc.Value + record.Value } : record;
            sums.Update(result);
        }
        Assert.Equal(100, backend.EntryCount);
        for (long key = 0; key < 100; key++)
        {
            backend.SetCurrentKey(key);
            Assert.True(sums.State.HasValue);
            // 30 records per key: key, key + 100, ..., key + 2900.
            Assert.Equal((key, 30 * key + 100 * (29 * 30 / 2)), sums.State.Value());
        }
    }

    [Fact]
    public void Values_written_by_the_ordinary_state_are_read_and_updated_in_place()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = new BinaryKeyedStateBackend<string>("op", AllGroups, 128, pool, new SerializerRegistry());
        var state = backend.GetValueState(new ValueStateDescriptor<(int, double)>("pair"));
        var inPlace = backend.GetInPlaceValueState(new ValueStateDescriptor<(int, double)>("pair"));
        Assert.True(inPlace.IsFixedSize);
        backend.SetCurrentKey("k");
        Assert.False(inPlace.TryGetValue(out _));
        state.Update((3, 0.5));
        Assert.True(inPlace.TryGetValue(out var value));
        Assert.Equal((3, 0.5), value);
        inPlace.Update((4, 1.5));
        Assert.Equal((4, 1.5), state.Value());
        Assert.Equal(1, backend.EntryCount);
        inPlace.State.Clear();
        Assert.Equal(0, backend.EntryCount);
    }

    [Fact]
    public void A_value_with_a_variable_length_element_takes_the_serializing_path()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = new BinaryKeyedStateBackend<long>("op", AllGroups, 128, pool, new SerializerRegistry());
        var inPlace = backend.GetInPlaceValueState(new ValueStateDescriptor<(long, string)>("mixed"));
        Assert.False(inPlace.IsFixedSize);
        backend.SetCurrentKey(1);
        for (int i = 0; i < 50; i++)
        {
            var next = inPlace.TryGetValue(out var acc) ? (acc.Item1 + 1, acc.Item2 + "ab") : (1L, "");
            inPlace.Update(next);
        }
        Assert.Equal((50L, string.Concat(Enumerable.Repeat("ab", 49))), inPlace.State.Value());
        Assert.Equal(1, backend.EntryCount);
    }

    [Fact]
    public void Rolling_sum_over_100_000_keys_allocates_nothing_per_record()
    {
        const int Keys = 100_000;
        var pool = new MemorySegmentPool(16 << 20, MemorySegment.DefaultSize, "managed");
        using var backend = new BinaryKeyedStateBackend<long>("op", AllGroups, 128, pool, new SerializerRegistry());
        var sums = backend.GetInPlaceValueState(new ValueStateDescriptor<(long Key, long Value)>("_op_state"));
        for (int round = 0; round < 2; round++) // warm-up: creates every entry and JIT-compiles the path
        {
            Loop();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        Loop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Keys / 100, $"{allocated} bytes allocated for {Keys} records ({(double)allocated / Keys:F3} per record)");
        backend.SetCurrentKey(12345);
        Assert.Equal((12345L, 3 * 12345L), sums.State.Value());
        Assert.Equal(Keys, backend.EntryCount);

        void Loop()
        {
            for (long key = 0; key < Keys; key++)
            {
                backend.SetCurrentKey(key);
                var result = sums.TryGetValue(out var acc) ? (acc.Item1, acc.Item2 + key) : (key, key);
                sums.Update(result);
            }
        }
    }

    [Fact]
    public void Unmanaged_keys_written_without_their_serializer_give_the_same_bytes_key_groups_and_keys()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        // A serializer that is not UnmanagedSerializer<long> but writes the same bytes forces the serializer path.
        var viaSerializer = RecordSerializer.Create<long>(static (v, o) => o.WriteInt64(v), static (ref DataInputView i) => i.ReadInt64());
        using var raw = new BinaryKeyedStateBackend<long>("raw", AllGroups, 128, pool, new SerializerRegistry());
        using var serialized = new BinaryKeyedStateBackend<long>("serialized", AllGroups, 128, pool, new SerializerRegistry(), viaSerializer);
        var rawState = raw.GetValueState(new ValueStateDescriptor<int>("v"));
        var serializedState = serialized.GetValueState(new ValueStateDescriptor<int>("v"));
        long[] keys = [0, 1, -1, 42, long.MinValue, long.MaxValue, 1L << 40, 123_456_789];
        foreach (long key in keys)
        {
            raw.SetCurrentKey(key);
            serialized.SetCurrentKey(key);
            Assert.Equal(serialized.CurrentKeyGroup, raw.CurrentKeyGroup);
            Assert.Equal(KeyGroupRangeAssignment.AssignToKeyGroup(BitConverter.GetBytes(key), 128), raw.CurrentKeyGroup);
            rawState.Update((int)(key & 0xFFFF));
            serializedState.Update((int)(key & 0xFFFF));
        }
        Assert.Equal(keys.Order(), raw.GetKeys("v").Order());
        Assert.Equal(keys.Order(), serialized.GetKeys("v").Order());
    }
}
