using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

public sealed class BinaryKeyedStateBackendTests
{
    private static readonly KeyGroupRange AllGroups = new(0, 127);

    private static BinaryKeyedStateBackend<string> NewBackend(MemorySegmentPool pool, string name = "op") =>
        new(name, AllGroups, 128, pool, new SerializerRegistry());

    [Fact]
    public void Each_kind_of_state_is_scoped_to_the_current_key()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool);
        var value = backend.GetValueState(new ValueStateDescriptor<long>("value", -1));
        var list = backend.GetListState(new ListStateDescriptor<string>("list"));
        var map = backend.GetMapState(new MapStateDescriptor<int, string>("map"));
        var reducing = backend.GetReducingState(new ReducingStateDescriptor<long>("reducing", (a, b) => a + b));
        var aggregating = backend.GetAggregatingState(new AggregatingStateDescriptor<long, Average, double>("aggregating", new AverageFunction()));

        backend.SetCurrentKey("a");
        value.Update(10);
        list.Add("x");
        list.AddAll(["y", "z"]);
        map.Put(1, "one");
        map.Put(2, "two");
        reducing.Add(3);
        reducing.Add(4);
        aggregating.Add(2);
        aggregating.Add(4);

        backend.SetCurrentKey("b");
        Assert.Equal(-1, value.Value());
        Assert.False(value.HasValue);
        Assert.Empty(list.Get());
        Assert.True(map.IsEmpty);
        Assert.False(reducing.HasValue);
        Assert.Throws<InvalidOperationException>(() => reducing.Get());
        Assert.Equal(0.0, aggregating.Get());
        Assert.False(aggregating.HasValue);

        backend.SetCurrentKey("a");
        Assert.Equal(10, value.Value());
        Assert.Equal(["x", "y", "z"], list.Get());
        Assert.Equal("two", map.TryGet(2, out var two) ? two : null);
        Assert.False(map.Contains(3));
        Assert.Equal([1, 2], map.Keys().Order());
        Assert.Equal(["one", "two"], map.Values().Order());
        Assert.Equal(7, reducing.Get());
        Assert.Equal(3.0, aggregating.Get());
        Assert.Equal(new[] { "a" }, backend.GetKeys("map"));
    }

    [Fact]
    public void Same_name_gives_the_same_state_and_another_kind_is_an_error()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool, "counter-op");
        var first = backend.GetValueState(new ValueStateDescriptor<long>("counts"));
        Assert.Same(first, backend.GetValueState(new ValueStateDescriptor<long>("counts")));

        var kind = Assert.Throws<InvalidOperationException>(() => backend.GetListState(new ListStateDescriptor<long>("counts")));
        Assert.Contains("'counts'", kind.Message);
        Assert.Contains("already registered as value state", kind.Message);
        Assert.Contains("counter-op", kind.Message);

        var type = Assert.Throws<InvalidOperationException>(() => backend.GetValueState(new ValueStateDescriptor<int>("counts")));
        Assert.Contains("'counts'", type.Message);
    }

    private sealed class Foo
    {
    }

    [Fact]
    public void A_missing_serializer_names_the_state_kind_and_type()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool);
        var e = Assert.Throws<SerializationException>(() => backend.GetValueState(new ValueStateDescriptor<Foo>("counts")));
        Assert.StartsWith($"state 'counts' (value) of type '{typeof(Foo).FullName}': no serializer", e.Message);
        var m = Assert.Throws<SerializationException>(() => backend.GetMapState(new MapStateDescriptor<long, Foo>("lookup")));
        Assert.StartsWith($"state 'lookup' (map) of type '{typeof(Foo).FullName}': no serializer", m.Message);
    }

    [Fact]
    public void A_serializer_registered_with_the_registry_is_used()
    {
        var registry = new SerializerRegistry();
        registry.Register(new FooSerializer());
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = new BinaryKeyedStateBackend<long>("op", AllGroups, 128, pool, registry);
        var state = backend.GetValueState(new ValueStateDescriptor<Foo>("foo"));
        backend.SetCurrentKey(1);
        var foo = new Foo();
        state.Update(foo);
        Assert.NotNull(state.Value());
        Assert.NotSame(foo, state.Value()); // stored as bytes, not as the object
    }

    private sealed class FooSerializer : IRecordSerializer<Foo>
    {
        public void Serialize(Foo value, DataOutputSerializer output) => output.WriteByte(42);

        public Foo Deserialize(ref DataInputView input) => input.ReadByte() == 42 ? new Foo() : throw new SerializationException("bad");
    }

    [Fact]
    public void State_without_a_current_key_is_an_error()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool);
        var state = backend.GetValueState(new ValueStateDescriptor<long>("v"));
        var e = Assert.Throws<InvalidOperationException>(() => state.Value());
        Assert.Contains("'v'", e.Message);
        Assert.Contains("without a current key", e.Message);
    }

    [Fact]
    public void Namespaces_separate_entries_of_the_same_key()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool);
        var list = backend.GetListState(new ListStateDescriptor<long>("window-contents"));
        var global = backend.GetValueState(new ValueStateDescriptor<long>("global"));
        var windows = (IInternalKeyedState)list;
        var ns = new UnmanagedSerializer<long>();

        backend.SetCurrentKey("k");
        global.Update(99);
        windows.SetCurrentNamespace(1000L, ns);
        list.Add(1);
        windows.SetCurrentNamespace(2000L, ns);
        list.Add(2);
        list.Add(3);
        windows.ResetNamespace();
        list.Add(4);

        windows.SetCurrentNamespace(1000L, ns);
        Assert.Equal([1L], list.Get());
        windows.SetCurrentNamespace(2000L, ns);
        Assert.Equal([2L, 3L], list.Get());
        windows.ResetNamespace();
        Assert.Equal([4L], list.Get());
        Assert.Equal(99, global.Value()); // another state's namespace is its own
        Assert.Equal(4, backend.EntryCount);
        Assert.Equal(new[] { "k" }, backend.GetKeys("window-contents"));
    }

    [Fact]
    public void Clearing_everything_brings_entries_and_segments_back_to_zero()
    {
        var pool = new MemorySegmentPool(1 << 20, 1024, "managed");
        var backend = NewBackend(pool);
        var value = backend.GetValueState(new ValueStateDescriptor<string>("value"));
        var list = backend.GetListState(new ListStateDescriptor<long>("list"));
        var map = backend.GetMapState(new MapStateDescriptor<long, long>("map"));
        for (int i = 0; i < 300; i++)
        {
            backend.SetCurrentKey("key" + i);
            value.Update(new string('v', i % 40));
            list.Add(i);
            list.Add(i + 1);
            map.Put(i, i);
            map.Put(i + 1, i);
        }
        Assert.Equal(300 * 5, backend.EntryCount); // value, list, two map entries and the map's directory
        Assert.Equal(300, backend.GetKeys("value").Count());
        Assert.True(pool.AvailableSegments < pool.TotalSegments);

        for (int i = 0; i < 300; i++)
        {
            backend.SetCurrentKey("key" + i);
            value.Clear();
            list.Update([]);
            map.Remove(i);
            map.Clear();
        }
        Assert.Equal(0, backend.EntryCount);
        Assert.Empty(backend.GetKeys("map"));
        Assert.Equal(0, backend.SegmentCount);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        backend.Dispose();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Dispose_returns_every_segment()
    {
        var pool = new MemorySegmentPool(1 << 20, 1024, "managed");
        var backend = NewBackend(pool);
        var value = backend.GetValueState(new ValueStateDescriptor<long>("value"));
        var map = backend.GetMapState(new MapStateDescriptor<long, string>("map"));
        for (int i = 0; i < 1000; i++)
        {
            backend.SetCurrentKey("key" + i);
            value.Update(i);
            map.Put(i, "x" + i);
        }
        Assert.True(backend.SegmentCount > 10);
        Assert.Equal(pool.TotalSegments - backend.SegmentCount, pool.AvailableSegments);
        backend.Dispose();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        Assert.Throws<ObjectDisposedException>(() => backend.SetCurrentKey("a"));
        Assert.Throws<ObjectDisposedException>(() => value.Value());
    }

    [Fact]
    public void Compaction_preserves_contents_and_returns_segments()
    {
        var pool = new MemorySegmentPool(1 << 22, 256, "managed");
        using var backend = NewBackend(pool);
        var value = backend.GetValueState(new ValueStateDescriptor<string>("value"));
        var model = new Dictionary<string, string>();
        // Growing values never fit their old capacity, so every update appends and leaves garbage.
        for (int round = 1; round <= 20; round++)
        {
            for (int i = 0; i < 200; i++)
            {
                string key = "key" + i;
                backend.SetCurrentKey(key);
                if (i % 3 == 0 && round % 5 == 0)
                {
                    value.Clear();
                    model.Remove(key);
                }
                else
                {
                    string v = new string((char)('a' + (i % 26)), round * 3) + i;
                    value.Update(v);
                    model[key] = v;
                }
            }
        }
        Assert.True(backend.CompactionCount > 0, "no compaction ran");
        foreach (var (key, expected) in model)
        {
            backend.SetCurrentKey(key);
            Assert.Equal(expected, value.Value());
        }
        Assert.Equal(model.Count, backend.EntryCount);
        Assert.Equal(model.Keys.Order(), backend.GetKeys("value").Order());
        // After compaction the live bytes occupy few more segments than they need.
        long liveBytes = model.Sum(kv => 32 + 1 + kv.Key.Length + 1 + kv.Value.Length);
        Assert.True(backend.SegmentCount * 256L < liveBytes * 3, $"{backend.SegmentCount} segments for {liveBytes} live bytes");
    }

    [Fact]
    public void Pool_exhaustion_gives_a_clear_error_and_keeps_existing_state()
    {
        var pool = new MemorySegmentPool(4 * 256, 256, "managed");
        using var backend = NewBackend(pool, "dedup");
        var value = backend.GetValueState(new ValueStateDescriptor<long>("seen"));
        int stored = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                backend.SetCurrentKey("k" + i);
                value.Update(i);
                stored++;
            }
        });
        Assert.StartsWith("managed memory exhausted: state 'seen' of operator 'dedup' needs another segment", e.Message);
        Assert.Contains("raise ManagedMemory in the configuration", e.Message);
        Assert.Equal(0, pool.AvailableSegments);
        Assert.Equal(stored, backend.EntryCount);
        for (int i = 0; i < stored; i++)
        {
            backend.SetCurrentKey("k" + i);
            Assert.Equal(i, value.Value());
        }
    }

    [Fact]
    public void Map_state_stays_consistent_when_memory_runs_out()
    {
        var pool = new MemorySegmentPool(3 * 256, 256, "managed");
        using var backend = NewBackend(pool);
        var map = backend.GetMapState(new MapStateDescriptor<int, long>("map"));
        backend.SetCurrentKey("k");
        int stored = 0;
        Assert.Throws<InvalidOperationException>(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                map.Put(i, i);
                stored++;
            }
        });
        Assert.Equal(Enumerable.Range(0, stored), map.Keys().Order());
        Assert.Equal(stored + 1, backend.EntryCount); // the entries and one directory, no orphan entry
        Assert.False(map.Contains(stored));
    }

    [Fact]
    public void Updating_a_value_state_with_null_clears_it()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool);
        var value = backend.GetValueState(new ValueStateDescriptor<string>("text", "none"));
        backend.SetCurrentKey("k");
        value.Update("x");
        Assert.Equal("x", value.Value());
        value.Update(null!);
        Assert.False(value.HasValue);
        Assert.Equal("none", value.Value());
        Assert.Equal(0, backend.EntryCount);
        Assert.Throws<ArgumentException>(() => backend.GetKeys("unknown"));
    }

    [Fact]
    public void An_exhausted_pool_is_rescued_by_compacting_garbage()
    {
        var pool = new MemorySegmentPool(8 * 256, 256, "managed");
        using var backend = NewBackend(pool);
        var value = backend.GetValueState(new ValueStateDescriptor<string>("value"));
        // Fill the pool with values, then rewrite them one by one with longer values: each rewrite
        // appends and turns the old entry into garbage, which only compaction can hand back.
        int keys = 0;
        try
        {
            for (; ; keys++)
            {
                backend.SetCurrentKey("k" + keys);
                value.Update("v");
            }
        }
        catch (InvalidOperationException)
        {
        }
        Assert.True(keys > 10);
        for (int i = 0; i < keys / 2; i++)
        {
            backend.SetCurrentKey("k" + i);
            value.Clear();
        }
        for (int i = keys / 2; i < keys; i++)
        {
            backend.SetCurrentKey("k" + i);
            value.Update("vv");
        }
        for (int i = keys / 2; i < keys; i++)
        {
            backend.SetCurrentKey("k" + i);
            Assert.Equal("vv", value.Value());
        }
        Assert.True(backend.CompactionCount > 0);
    }

    [Fact]
    public void Values_larger_than_a_segment_span_segments_and_come_back()
    {
        var pool = new MemorySegmentPool(64 * 1024, 1024, "managed");
        var backend = NewBackend(pool, "op");
        var value = backend.GetValueState(new ValueStateDescriptor<string>("blob"));
        var list = backend.GetListState(new ListStateDescriptor<long>("history"));
        backend.SetCurrentKey("k");

        string big = string.Concat(Enumerable.Range(0, 500).Select(i => (char)('a' + i % 26)));
        value.Update(big + big + big + big); // 2000 chars: two segments of chain plus a stub entry
        Assert.Equal(big + big + big + big, value.Value());
        value.Update(big); // shrinks inside the chain
        Assert.Equal(big, value.Value());
        value.Update("small"); // back into an ordinary entry
        Assert.Equal("small", value.Value());
        value.Update(big + big + big);
        Assert.Equal(big + big + big, value.Value());

        for (int i = 0; i < 1000; i++) // 8000 bytes: grows from an entry into a chain of 8 segments
        {
            list.Add(i);
        }
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), list.Get());
        list.AddAll(Enumerable.Range(1000, 500).Select(i => (long)i));
        Assert.Equal(Enumerable.Range(0, 1500).Select(i => (long)i), list.Get());
        backend.CompactAll(); // stubs move; chains stay put
        Assert.Equal(1500, list.Get().Count);
        Assert.Equal(big + big + big, value.Value());
        Assert.Equal(2, backend.EntryCount);
        Assert.True(backend.SegmentCount >= 12 + 3);

        list.Clear();
        value.Clear();
        Assert.Equal(0, backend.SegmentCount);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);

        value.Update(big + big);
        backend.Dispose();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void A_key_larger_than_a_segment_is_rejected_naming_state_and_size()
    {
        var pool = new MemorySegmentPool(1 << 20, 1024, "managed");
        using var backend = NewBackend(pool, "op");
        var value = backend.GetValueState(new ValueStateDescriptor<long>("counts"));
        backend.SetCurrentKey(new string('k', 2000));
        var e = Assert.Throws<InvalidOperationException>(() => value.Update(1));
        Assert.Contains("state 'counts' of operator 'op'", e.Message);
        Assert.Contains("a key of 2002 bytes", e.Message); // 2 length bytes + 2000 chars
        Assert.Contains("segment of 1024 bytes", e.Message);
        Assert.False(value.HasValue);
        Assert.Equal(0, backend.EntryCount);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments); // the chain rented for the value went back
    }

    [Fact]
    public void A_large_value_that_cannot_get_its_segments_leaves_the_old_value()
    {
        var pool = new MemorySegmentPool(4 * 256, 256, "managed");
        using var backend = NewBackend(pool, "op");
        var value = backend.GetValueState(new ValueStateDescriptor<string>("blob"));
        backend.SetCurrentKey("k");
        value.Update(new string('a', 500)); // a stub segment and a chain of two
        var e = Assert.Throws<InvalidOperationException>(() => value.Update(new string('b', 1000)));
        Assert.StartsWith("managed memory exhausted: state 'blob'", e.Message);
        Assert.Equal(new string('a', 500), value.Value());
        Assert.Equal(1, pool.AvailableSegments);
    }

    [Fact]
    public void Map_state_iterates_the_current_keys_entries_after_removals()
    {
        var pool = new MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = NewBackend(pool);
        var map = backend.GetMapState(new MapStateDescriptor<string, long>("map"));
        backend.SetCurrentKey("a");
        map.PutAll(Enumerable.Range(0, 50).Select(i => KeyValuePair.Create("u" + i, (long)i)));
        backend.SetCurrentKey("b");
        map.Put("other", 1);
        backend.SetCurrentKey("a");
        for (int i = 0; i < 50; i += 2)
        {
            map.Remove("u" + i);
        }
        map.Remove("missing");
        map.Put("u1", 100);
        var expected = Enumerable.Range(0, 50).Where(i => i % 2 == 1).ToDictionary(i => "u" + i, i => i == 1 ? 100L : i);
        Assert.Equal(expected.OrderBy(kv => kv.Key), map.Entries().OrderBy(kv => kv.Key));
        Assert.Equal(25 + 1 + 2, backend.EntryCount); // 25 + 1 entries, 2 directories
    }

    [Fact]
    public void Value_state_of_long_allocates_nothing_per_access()
    {
        const int Keys = 100_000;
        var pool = new MemorySegmentPool(16 << 20, MemorySegment.DefaultSize, "managed");
        using var backend = new BinaryKeyedStateBackend<long>("op", AllGroups, 128, pool, new SerializerRegistry());
        var value = backend.GetValueState(new ValueStateDescriptor<long>("count"));
        var reducing = backend.GetReducingState(new ReducingStateDescriptor<long>("sum", static (a, b) => a + b));
        for (int round = 0; round < 2; round++) // warm-up: creates every entry and JIT-compiles the path
        {
            Loop();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        Loop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Keys / 100, $"{allocated} bytes allocated for {Keys} keys ({(double)allocated / Keys:F3} per key)");
        backend.SetCurrentKey(12345);
        Assert.Equal(3, value.Value());
        Assert.Equal(3 * 12345, reducing.Get());

        void Loop()
        {
            for (long key = 0; key < Keys; key++)
            {
                backend.SetCurrentKey(key);
                value.Update(value.Value() + 1);
                reducing.Add(key);
            }
        }
    }
}
