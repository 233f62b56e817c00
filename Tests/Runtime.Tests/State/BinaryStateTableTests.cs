using System.Buffers.Binary;
using DataflowCompiler.Memory;
using DataflowCompiler.State;
using DataflowCompiler.State.Binary;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// The storage layer on its own, with hashes forced to collide (long probe runs, backward-shift deletion),
/// variable-length values (relocation, and chains for values longer than a 128-byte segment), tiny segments and
/// explicit compactions, against a dictionary.
/// </summary>
public sealed class BinaryStateTableTests
{
    private const int KeyGroup = 3;

    [Fact]
    public void Colliding_entries_survive_puts_appends_removes_and_compaction() =>
        Prop.ForAll(
            (from kind in Gen.Choose(0, 4)
             from key in Gen.Choose(0, 40)
             from length in Gen.Frequency((3, Gen.Choose(0, 30)), (1, Gen.Choose(60, 300)))
             select (kind, key, length)).ArrayOf().ToArbitrary(),
            ops =>
            {
                var pool = new MemorySegmentPool(1024L * 128, 128, "managed");
                var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(2, 5));
                var model = new Dictionary<int, byte[]>();
                foreach (var (kind, key, length) in ops)
                {
                    byte[] keyBytes = BitConverter.GetBytes(key);
                    byte[] secondary = key % 2 == 0 ? [] : [(byte)key];
                    int hash = key % 3; // three hash values for 41 keys: long collision chains
                    byte[] value = Enumerable.Range(0, length).Select(i => (byte)(key + i)).ToArray();
                    switch (kind)
                    {
                        case 0:
                            Assert.Equal(!model.ContainsKey(key), table.Put(KeyGroup, hash, keyBytes, secondary, value));
                            model[key] = value;
                            break;
                        case 1:
                            table.Append(KeyGroup, hash, keyBytes, secondary, value);
                            model[key] = model.TryGetValue(key, out var old) ? [.. old, .. value] : value;
                            if (model[key].Length > 700)
                            {
                                Assert.True(table.Remove(KeyGroup, hash, keyBytes, secondary));
                                model.Remove(key);
                            }
                            break;
                        case 2:
                            Assert.Equal(model.Remove(key), table.Remove(KeyGroup, hash, keyBytes, secondary));
                            break;
                        case 3:
                            table.Compact();
                            break;
                        default:
                            break;
                    }
                    // Every entry reads back after every step.
                    foreach (var (k, expected) in model)
                    {
                        Assert.True(table.TryGet(KeyGroup, k % 3, BitConverter.GetBytes(k), k % 2 == 0 ? [] : [(byte)k], out var actual), $"key {k} lost");
                        Assert.Equal(expected, actual.ToArray());
                    }
                    Assert.False(table.TryGet(KeyGroup, 0, BitConverter.GetBytes(99), [], out _));
                    Assert.Equal(model.Count, table.EntryCount);
                }
                var visited = new List<int>();
                table.ForEachEntry((key, _) => visited.Add(BitConverter.ToInt32(key)));
                Assert.Equal(model.Keys.Order(), visited.Order());
                table.Dispose();
                Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
                return true;
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithEndSize(120));

    [Fact]
    public void Compaction_moves_entries_to_the_front_and_frees_segments()
    {
        var pool = new MemorySegmentPool(1024L * 128, 128, "managed");
        using var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(0, 0));
        for (int key = 0; key < 40; key++)
        {
            table.Put(0, key, BitConverter.GetBytes(key), [], BitConverter.GetBytes((long)key));
        }
        int before = table.SegmentCount;
        for (int key = 0; key < 40; key += 2)
        {
            table.Remove(0, key, BitConverter.GetBytes(key), []);
        }
        table.Compact();
        Assert.True(table.SegmentCount <= before / 2 + 1, $"{table.SegmentCount} segments after compaction, {before} before");
        Assert.Equal(0, table.GarbageBytes);
        Assert.Equal(pool.TotalSegments - table.SegmentCount, pool.AvailableSegments);
        for (int key = 1; key < 40; key += 2)
        {
            Assert.True(table.TryGet(0, key, BitConverter.GetBytes(key), [], out var value));
            Assert.Equal(key, BitConverter.ToInt64(value));
        }
    }

    [Fact]
    public void Get_or_insert_fixed_inserts_a_zeroed_entry_once_and_then_returns_its_bytes_in_place()
    {
        var pool = new MemorySegmentPool(1024L * 128, 128, "managed");
        // Fill segments with garbage and give them back, so the next table gets dirty segments.
        using (var dirty = new BinaryStateTable("d", "op", pool, new KeyGroupRange(0, 0)))
        {
            for (int key = 0; key < 100; key++)
            {
                dirty.Put(0, key, BitConverter.GetBytes(key), [], Enumerable.Repeat((byte)0xEE, 40).ToArray());
            }
        }
        using var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(2, 5));
        byte[] key7 = BitConverter.GetBytes(7);

        var bytes = table.GetOrInsertFixed(KeyGroup, 1, key7, [9], 8, out bool existed);
        Assert.False(existed);
        Assert.Equal(new byte[8], bytes.ToArray());
        Assert.Equal(1, table.EntryCount);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, 42L);

        bytes = table.GetOrInsertFixed(KeyGroup, 1, key7, [9], 8, out existed);
        Assert.True(existed);
        Assert.Equal(42L, BitConverter.ToInt64(bytes));
        BinaryPrimitives.WriteInt64LittleEndian(bytes, 43L);
        Assert.Equal(1, table.EntryCount);

        // The same entry as Put/TryGet see it; another namespace is another entry.
        Assert.True(table.TryGet(KeyGroup, 1, key7, [9], out var read));
        Assert.Equal(43L, BitConverter.ToInt64(read));
        Assert.False(table.TryGet(KeyGroup, 1, key7, [], out _));
        table.Put(KeyGroup, 1, key7, [9], BitConverter.GetBytes(44L));
        Assert.Equal(44L, BitConverter.ToInt64(table.GetOrInsertFixed(KeyGroup, 1, key7, [9], 8, out existed)));
        Assert.True(existed);
        Assert.Equal(1, table.EntryCount);
    }

    [Fact]
    public void Fixed_access_stamps_the_entry_and_its_key_group_like_put()
    {
        var pool = new MemorySegmentPool(1024L * 128, 128, "managed");
        using var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(2, 5));
        byte[] a = BitConverter.GetBytes(1);
        byte[] b = BitConverter.GetBytes(2);
        table.GetOrInsertFixed(2, 1, a, [], 8, out _);
        table.Put(4, 2, b, [], new byte[8]);
        Assert.Equal(0, table.EntryVersion(2, 1, a, []));

        table.AdvanceVersion();
        table.GetOrInsertFixed(2, 1, a, [], 8, out bool existed);
        Assert.True(existed);
        Assert.Equal(1, table.EntryVersion(2, 1, a, []));
        Assert.Equal(1, table.LastModifiedVersion(2));
        Assert.Equal(0, table.EntryVersion(4, 2, b, [])); // untouched entry and key group keep their stamp
        Assert.Equal(0, table.LastModifiedVersion(4));

        table.AdvanceVersion();
        Assert.True(table.TryGet(4, 2, b, [], out _)); // reads do not stamp
        Assert.Equal(0, table.LastModifiedVersion(4));
        table.Put(4, 2, b, [], new byte[8]);
        Assert.Equal(2, table.EntryVersion(4, 2, b, []));
        Assert.Equal(2, table.LastModifiedVersion(4));

        // An insertion through the remembered place stamps too.
        int stamp = table.LayoutStamp;
        byte[] c = BitConverter.GetBytes(3);
        Assert.Equal(-1, table.Find(5, 3, c, [], out _));
        table.WritableFixedValue(5, 3, c, [], -1, stamp, 8);
        Assert.Equal(2, table.EntryVersion(5, 3, c, []));
        Assert.Equal(2, table.LastModifiedVersion(5));
    }

    [Fact]
    public void Fixed_access_to_a_value_of_another_length_fails_with_the_state_name()
    {
        var pool = new MemorySegmentPool(1024L * 128, 128, "managed");
        using var table = new BinaryStateTable("sums", "op", pool, new KeyGroupRange(0, 0));
        table.Put(0, 1, [1], [], new byte[4]);
        var error = Assert.Throws<InvalidOperationException>(() => table.GetOrInsertFixed(0, 1, [1], [], 8, out _));
        Assert.Contains("'sums'", error.Message);
        Assert.Contains("4 bytes", error.Message);
        // A value too large to sit next to its key is refused, not silently truncated.
        Assert.False(table.FitsInline(1, 0, 128));
        Assert.Throws<InvalidOperationException>(() => table.GetOrInsertFixed(0, 2, [2], [], 128, out _));
        Assert.Equal(1, table.EntryCount);
    }

    [Fact]
    public void A_remembered_place_is_used_while_the_layout_is_unchanged_and_looked_up_again_after()
    {
        var pool = new MemorySegmentPool(1024L * 128, 128, "managed");
        using var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(0, 0));
        byte[] a = BitConverter.GetBytes(-1);
        table.Put(0, 5, a, [], BitConverter.GetBytes(1L));

        int stamp = table.LayoutStamp;
        int slot = table.Find(0, 5, a, [], out _);
        Assert.True(slot >= 0);
        Assert.False(table.PutAt(0, 5, a, [], slot, stamp, BitConverter.GetBytes(2L)));
        Assert.Equal(stamp, table.LayoutStamp); // an overwrite in place moves nothing

        // Inserting 40 more entries grows the index: the old slot is stale, and PutAt must find the entry again.
        for (int key = 0; key < 40; key++)
        {
            table.Put(0, key, BitConverter.GetBytes(key), [], BitConverter.GetBytes((long)key));
        }
        Assert.NotEqual(stamp, table.LayoutStamp);
        Assert.False(table.PutAt(0, 5, a, [], slot, stamp, BitConverter.GetBytes(3L)));
        BinaryPrimitives.WriteInt64LittleEndian(table.WritableFixedValue(0, 5, a, [], slot, stamp, 8), 4L);

        // Absent when looked up, inserted by someone else before the write: no second entry.
        byte[] b = BitConverter.GetBytes(-2);
        stamp = table.LayoutStamp;
        Assert.Equal(-1, table.Find(0, 6, b, [], out _));
        table.Put(0, 6, b, [], BitConverter.GetBytes(10L));
        Assert.False(table.PutAt(0, 6, b, [], -1, stamp, BitConverter.GetBytes(11L)));

        Assert.Equal(42, table.EntryCount);
        Assert.True(table.TryGet(0, 5, a, [], out var value));
        Assert.Equal(4L, BitConverter.ToInt64(value));
        Assert.True(table.TryGet(0, 6, b, [], out value));
        Assert.Equal(11L, BitConverter.ToInt64(value));
        for (int key = 0; key < 40; key++)
        {
            Assert.True(table.TryGet(0, key, BitConverter.GetBytes(key), [], out value));
            Assert.Equal(key, BitConverter.ToInt64(value));
        }
    }

    [Fact]
    public void Get_or_insert_fixed_reuses_freed_segments_and_allocates_nothing_per_call()
    {
        const int Keys = 20_000;
        var pool = new MemorySegmentPool(4L << 20, MemorySegment.DefaultSize, "managed");
        using var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(0, 15));
        byte[] key = new byte[8];
        for (int round = 0; round < 3; round++) // warm-up: creates every entry and JIT-compiles the path
        {
            Loop();
        }
        int segments = table.SegmentCount;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Loop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The smallest object is 24 bytes, so one allocation per call would be 480 000 bytes; the bound leaves room for
        // a one-off allocation context (8 KiB) that a collection triggered by tests running in parallel can retire.
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for {Keys} calls");
        Assert.Equal(segments, table.SegmentCount); // updates in place: no new entry bytes
        Assert.Equal(0, table.GarbageBytes);
        Assert.Equal(Keys, table.EntryCount);
        BinaryPrimitives.WriteInt64LittleEndian(key, 123L);
        Assert.True(table.TryGet(123 % 16, 123, key, [], out var value));
        Assert.Equal(4 * 123L, BitConverter.ToInt64(value));

        // Removing everything gives the segments back; inserting again rents them again.
        for (long k = 0; k < Keys; k++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(key, k);
            Assert.True(table.Remove((int)(k % 16), (int)k, key, []));
        }
        Assert.Equal(0, table.SegmentCount);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        Loop();
        Assert.Equal(segments, table.SegmentCount);
        Assert.Equal(Keys, table.EntryCount);

        void Loop()
        {
            for (long k = 0; k < Keys; k++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(key, k);
                var bytes = table.GetOrInsertFixed((int)(k % 16), (int)k, key, [], 8, out _);
                BinaryPrimitives.WriteInt64LittleEndian(bytes, BitConverter.ToInt64(bytes) + k);
            }
        }
    }
}
