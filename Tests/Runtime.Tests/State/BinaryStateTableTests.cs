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
}
