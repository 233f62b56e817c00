using System.Buffers.Binary;
using System.Text;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// The flat value state of fused rolling aggregates: one-probe access, growth, the key-group check on insert, and its
/// part in the backend's snapshots — consistent under copy-on-write while the task keeps writing, incremental, and
/// interchangeable with the ordinary (binary) value state of the same name in both directions and across rescaling.
/// </summary>
public sealed class FlatValueStateTests
{
    private const int MaxParallelism = 128;
    private static readonly KeyGroupRange AllGroups = new(0, MaxParallelism - 1);
    private static readonly ValueStateDescriptor<(long Key, long Value)> Sums = new("_op_state");

    private static BinaryKeyedStateBackend<long> Backend(KeyGroupRange range, IRecordSerializer<long>? keySerializer = null) =>
        new("flat-op", range, MaxParallelism, new MemorySegmentPool(8L << 20, 4096, "managed"), new SerializerRegistry(), keySerializer);

    private static FlatValueState<long, (long Key, long Value)> Flat(BinaryKeyedStateBackend<long> backend) =>
        FlatValueState<long, (long Key, long Value)>.TryCreate(backend, Sums) ?? throw new InvalidOperationException("no flat state for raw long keys");

    private static int KeyGroupOf(long key) => KeyGroupRangeAssignment.AssignToKeyGroup(BitConverter.GetBytes(key), MaxParallelism);

    private static void Add(FlatValueState<long, (long Key, long Value)> state, long key, long value)
    {
        ref var slot = ref state.GetOrAdd(key, out bool exists);
        slot = exists ? slot with { Value = slot.Value + value } : (key, value);
    }

    private static Dictionary<long, long> Contents(FlatValueState<long, (long Key, long Value)> state) =>
        state.Keys().ToDictionary(k => k, k => state.TryGetValue(k, out var v) ? v.Value : throw new InvalidOperationException($"key {k} listed without a value"));

    private static byte[] Write(KeyedStateSnapshot snapshot)
    {
        var stream = new MemoryStream();
        snapshot.WriteTo(stream);
        snapshot.Release();
        return stream.ToArray();
    }

    private static void Restore(BinaryKeyedStateBackend<long> backend, params byte[][] chain) =>
        backend.Restore([chain.Select(bytes => (Func<Stream>)(() => new MemoryStream(bytes))).ToList()]);

    [Fact]
    public void GetOrAdd_inserts_a_default_slot_once_and_then_finds_what_was_written_there()
    {
        using var backend = Backend(AllGroups);
        var state = Flat(backend);
        ref var slot = ref state.GetOrAdd(42, out bool exists);
        Assert.False(exists);
        Assert.Equal(default, slot);
        slot = (42, 7);
        Assert.Equal((42L, 7L), state.GetOrAdd(42, out exists));
        Assert.True(exists);
        Assert.False(state.TryGetValue(43, out _));
        Assert.Equal(1, state.EntryCount);
        Assert.Equal(1, backend.EntryCount);
        Assert.Equal(new[] { 42L }, backend.GetKeys("_op_state"));
        Assert.Same(state, Flat(backend)); // asked again: the same state
    }

    [Fact]
    public void The_table_grows_by_rehashing_and_keeps_every_key_and_value()
    {
        using var backend = Backend(AllGroups);
        var state = Flat(backend);
        const int keys = 200_000;
        for (long round = 1; round <= 3; round++)
        {
            for (long key = 0; key < keys; key++)
            {
                Add(state, key * 7919, round); // spread keys, not only 0..n
            }
        }
        Assert.Equal(keys, state.EntryCount);
        Assert.True(state.Capacity >= keys / 3 * 4, $"capacity {state.Capacity} for {keys} keys: the load stays under 3/4");
        for (long key = 0; key < keys; key++)
        {
            Assert.True(state.TryGetValue(key * 7919, out var value));
            Assert.Equal((key * 7919, 6L), value);
        }
        Assert.Equal(keys, backend.GetKeys("_op_state").Count());
    }

    [Fact]
    public void A_new_key_outside_the_key_group_range_fails_as_SetCurrentKey_does_and_is_not_inserted()
    {
        var lowerHalf = new KeyGroupRange(0, 63);
        using var backend = Backend(lowerHalf);
        var state = Flat(backend);
        long outside = Enumerable.Range(0, 1000).Select(i => (long)i).First(k => KeyGroupOf(k) >= 64);
        long inside = Enumerable.Range(0, 1000).Select(i => (long)i).First(k => KeyGroupOf(k) < 64);
        var flatError = Assert.Throws<InvalidOperationException>(() => state.GetOrAdd(outside, out _));
        var backendError = Assert.Throws<InvalidOperationException>(() => backend.SetCurrentKey(outside));
        Assert.Equal(backendError.Message, flatError.Message);
        Assert.Contains("outside this subtask's", flatError.Message);
        Assert.Equal(0, state.EntryCount);
        Assert.False(state.TryGetValue(outside, out _));
        state.GetOrAdd(inside, out bool exists) = (inside, 1);
        Assert.False(exists);
        Assert.Equal(1, state.EntryCount);
    }

    /// <summary>Writes longs through the interface: same bytes as the raw ones, but not <see cref="UnmanagedSerializer{T}"/>.</summary>
    private sealed class BoxlessLongSerializer : IRecordSerializer<long>
    {
        public void Serialize(long value, DataOutputSerializer output) => output.WriteInt64(value);

        public long Deserialize(ref DataInputView input) => input.ReadInt64();
    }

    [Fact]
    public void There_is_no_flat_state_without_raw_key_bytes_or_under_the_name_of_an_ordinary_state()
    {
        using (var custom = Backend(AllGroups, new BoxlessLongSerializer()))
        {
            Assert.Null(FlatValueState<long, (long Key, long Value)>.TryCreate(custom, Sums));
        }
        using var backend = Backend(AllGroups);
        backend.GetValueState(new ValueStateDescriptor<(long Key, long Value)>("ordinary"));
        Assert.Null(FlatValueState<long, (long Key, long Value)>.TryCreate(backend, new ValueStateDescriptor<(long Key, long Value)>("ordinary")));
        Flat(backend);
        var error = Assert.Throws<InvalidOperationException>(() => backend.GetValueState(Sums));
        Assert.Contains("flat value state", error.Message);
        Assert.Throws<InvalidOperationException>(() => FlatValueState<long, long>.TryCreate(backend, new ValueStateDescriptor<long>("_op_state")));
    }

    [Fact]
    public async Task Snapshots_show_the_values_at_their_pin_while_the_task_keeps_writing_and_growing()
    {
        using var backend = Backend(AllGroups);
        var state = Flat(backend);
        for (long key = 0; key < 1000; key++)
        {
            Add(state, key, key);
        }
        var atFirst = Contents(state);
        var first = backend.Snapshot(1, incremental: false);
        for (long key = 0; key < 1000; key += 2)
        {
            Add(state, key, 1_000_000); // existing keys in chunks the first snapshot shares
        }
        var atSecond = Contents(state);
        var second = backend.Snapshot(2, incremental: false); // two pins at once
        var writers = new[] { first, second }.Select(s => Task.Run(() => Write(s))).ToArray();
        for (long key = 0; key < 20_000; key++)
        {
            Add(state, key, 5); // while the writers run: updates, inserts and rehashes
        }
        var written = await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(1)); // only bounds a hang
        Add(state, 0, 1); // after the releases: writes go on without the pins
        Assert.Equal(20_000, state.EntryCount);
        Assert.Equal(0 + 1_000_000 + 5 + 1, state.GetOrAdd(0, out _).Value);

        for (int i = 0; i < 2; i++)
        {
            using var restored = Backend(AllGroups);
            Restore(restored, written[i]);
            Assert.Equal(i == 0 ? atFirst : atSecond, Contents(Flat(restored)));
        }
    }

    [Fact]
    public void An_incremental_snapshot_writes_only_the_entries_written_since_its_base_and_its_chain_restores_as_a_full_one()
    {
        using var backend = Backend(AllGroups);
        var state = Flat(backend);
        for (long key = 0; key < 10_000; key++)
        {
            Add(state, key, 1);
        }
        var full = backend.Snapshot(1, incremental: true); // no base yet: full
        Assert.False(full.IsIncremental);
        byte[] fullBytes = Write(full);
        Assert.Equal(10_000, full.RecordsWritten);
        backend.NotifyCheckpointComplete(1);

        for (long key = 0; key < 10_000; key += 100)
        {
            Add(state, key, 1); // 100 changed
        }
        for (long key = 10_000; key < 10_050; key++)
        {
            Add(state, key, 1); // 50 new
        }
        var delta = backend.Snapshot(2, incremental: true);
        Assert.True(delta.IsIncremental);
        byte[] deltaBytes = Write(delta);
        Assert.Equal(150, delta.RecordsWritten);
        backend.NotifyCheckpointComplete(2);

        for (long key = 0; key < 10_050; key += 7)
        {
            Add(state, key, 3);
        }
        var delta2 = backend.Snapshot(3, incremental: true);
        byte[] delta2Bytes = Write(delta2);
        Assert.Equal((10_050 + 6) / 7, delta2.RecordsWritten);
        backend.NotifyCheckpointComplete(3);
        var expected = Contents(state);

        using var fromChain = Backend(AllGroups);
        Restore(fromChain, fullBytes, deltaBytes, delta2Bytes);
        var chainContents = Contents(Flat(fromChain));
        using var fromFull = Backend(AllGroups);
        Restore(fromFull, Write(backend.Snapshot(4, incremental: false)));
        Assert.Equal(expected, chainContents);
        Assert.Equal(expected, Contents(Flat(fromFull)));
    }

    [Fact]
    public void Changes_after_adopting_a_restored_table_that_was_already_snapshotted_reach_the_next_incremental_snapshot()
    {
        using var source = Backend(AllGroups);
        var state = Flat(source);
        for (long key = 0; key < 100; key++)
        {
            Add(state, key, 1);
        }
        byte[] restoredFrom = Write(source.Snapshot(1, incremental: false));

        using var backend = Backend(AllGroups);
        Restore(backend, restoredFrom);
        var chain = new List<byte[]>();
        for (long id = 1; id <= 2; id++)
        {
            chain.Add(Write(backend.Snapshot(id, incremental: true))); // the restored binary table, not yet asked for
            backend.NotifyCheckpointComplete(id);
        }
        var adopted = Flat(backend);
        Add(adopted, 7, 100);
        chain.Add(Write(backend.Snapshot(3, incremental: true)));

        using var restored = Backend(AllGroups);
        Restore(restored, [.. chain]);
        var contents = Contents(Flat(restored));
        Assert.Equal(101, contents[7]);
        Assert.Equal(Contents(adopted), contents);
    }

    [Fact]
    public void A_flat_snapshot_restores_into_the_ordinary_value_state_and_an_ordinary_one_into_a_flat_state()
    {
        using var flatBackend = Backend(AllGroups);
        var flat = Flat(flatBackend);
        for (long key = 0; key < 3000; key++)
        {
            Add(flat, key * 31, key);
        }
        byte[] flatBytes = Write(flatBackend.Snapshot(1, incremental: false));

        using var ordinaryBackend = Backend(AllGroups);
        Restore(ordinaryBackend, flatBytes);
        var ordinary = ordinaryBackend.GetValueState(Sums);
        Assert.Equal(3000, ordinaryBackend.EntryCount);
        for (long key = 0; key < 3000; key++)
        {
            ordinaryBackend.SetCurrentKey(key * 31);
            Assert.True(ordinary.HasValue);
            Assert.Equal((key * 31, key), ordinary.Value());
            ordinary.Update((key * 31, key + 1)); // the binary table takes over the restored entries
        }
        byte[] ordinaryBytes = Write(ordinaryBackend.Snapshot(1, incremental: false));

        using var flatAgain = Backend(AllGroups);
        Restore(flatAgain, ordinaryBytes);
        var adopted = Flat(flatAgain);
        Assert.Empty(flatAgain.AllTables); // the restored binary table was copied and disposed
        Assert.Equal(Enumerable.Range(0, 3000).ToDictionary(k => k * 31L, k => k + 1L), Contents(adopted));
        Add(adopted, 31, 10);
        Assert.Equal((31L, 12L), adopted.GetOrAdd(31, out _));
    }

    [Fact]
    public void Flat_and_ordinary_states_with_the_same_contents_write_the_same_records()
    {
        using var flatBackend = Backend(AllGroups);
        using var ordinaryBackend = Backend(AllGroups);
        var flat = Flat(flatBackend);
        var ordinary = ordinaryBackend.GetValueState(Sums);
        for (long key = -500; key < 500; key++)
        {
            Add(flat, key * 1_000_003, key);
            ordinaryBackend.SetCurrentKey(key * 1_000_003);
            ordinary.Update((key * 1_000_003, key));
        }
        var (flatHeader, flatRecords) = Parse(Write(flatBackend.Snapshot(5, incremental: false)));
        var (ordinaryHeader, ordinaryRecords) = Parse(Write(ordinaryBackend.Snapshot(5, incremental: false)));
        Assert.Equal(ordinaryHeader, flatHeader);
        Assert.Equal(1000, flatRecords.Count);
        Assert.Equal(ordinaryRecords, flatRecords);
    }

    /// <summary>The snapshot's header and table headers as text, and its records as hex strings, sorted (order within a table is free).</summary>
    private static (string Header, List<string> Records) Parse(byte[] bytes)
    {
        int position = 0;
        int ReadInt()
        {
            int value = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
            position += 4;
            return value;
        }
        string ReadString()
        {
            int length = ReadInt();
            position += length;
            return Encoding.UTF8.GetString(bytes, position - length, length);
        }
        var header = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            header.Append(ReadInt()).Append(' ');
        }
        position += 16; // checkpoint id and base id
        for (int i = 0; i < 3; i++)
        {
            header.Append(ReadInt()).Append(' ');
        }
        int tables = ReadInt();
        var records = new List<string>();
        for (int t = 0; t < tables; t++)
        {
            header.Append($"| {ReadString()} {ReadString()} {ReadInt()} {ReadString()} {ReadString()} ");
            while (true)
            {
                int start = position;
                byte tag = bytes[position++];
                if (tag == 0)
                {
                    position += 8;
                    break;
                }
                position += 8; // key group, hash
                int lengths = ReadInt() + ReadInt() + ReadInt();
                position += lengths;
                records.Add(Convert.ToHexString(bytes, start, position - start));
            }
        }
        header.Append(ReadInt());
        records.Sort(StringComparer.Ordinal);
        return (header.ToString(), records);
    }

    [Fact]
    public void Rescaling_splits_a_flat_snapshot_by_key_group()
    {
        using var backend = Backend(AllGroups);
        var state = Flat(backend);
        for (long key = 0; key < 5000; key++)
        {
            Add(state, key, key * 2);
        }
        byte[] bytes = Write(backend.Snapshot(1, incremental: false));
        var all = Contents(state);

        var ranges = new[] { new KeyGroupRange(0, 63), new KeyGroupRange(64, 127) };
        var parts = new List<Dictionary<long, long>>();
        foreach (var range in ranges)
        {
            using var part = Backend(range);
            Restore(part, bytes);
            var flat = Flat(part);
            parts.Add(Contents(flat));
            Assert.All(parts[^1].Keys, key => Assert.True(range.Contains(KeyGroupOf(key))));
            long foreign = all.Keys.First(key => !range.Contains(KeyGroupOf(key)));
            Assert.Throws<InvalidOperationException>(() => flat.GetOrAdd(foreign, out _));
        }
        Assert.NotEmpty(parts[0]);
        Assert.NotEmpty(parts[1]);
        Assert.Equal(all, parts[0].Concat(parts[1]).ToDictionary(e => e.Key, e => e.Value));
    }
}
