using System.Text;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

public sealed class KeyGroupAssignmentTests
{
    [Theory]
    [InlineData(1, 128)]
    [InlineData(85, 128)]
    [InlineData(86, 256)]
    [InlineData(100, 256)]
    [InlineData(171, 256)]
    [InlineData(172, 512)]
    [InlineData(1000, 2048)]
    [InlineData(20000, 32768)]
    [InlineData(32768, 32768)]
    public void Default_max_parallelism_follows_flinks_rule(int parallelism, int expected) =>
        Assert.Equal(expected, KeyGroupRangeAssignment.ComputeDefaultMaxParallelism(parallelism));

    [Fact]
    public void Default_max_parallelism_rejects_zero() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyGroupRangeAssignment.ComputeDefaultMaxParallelism(0));

    // Published MurmurHash3 x86_32 vectors (seed 0), e.g. Python mmh3.hash.
    [Theory]
    [InlineData("", 0)]
    [InlineData("hello", 0x248bfa47)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x2e4ff723)]
    public void Key_hash_is_murmur3(string text, int expected)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(expected, StableHash.Murmur3(bytes));
        Assert.Equal((int)((uint)expected % 128u), KeyGroupRangeAssignment.AssignToKeyGroup(bytes, 128));
    }

    [Fact]
    public void Backend_places_keys_in_the_group_of_their_serialized_bytes()
    {
        var pool = new Memory.MemorySegmentPool(1 << 20, 4096, "managed");
        using var backend = new BinaryKeyedStateBackend<string>("op", new KeyGroupRange(0, 127), 128, pool, new SerializerRegistry());
        for (int i = 0; i < 500; i++)
        {
            string key = "key-" + i;
            var output = new DataOutputSerializer();
            new StringSerializer().Serialize(key, output);
            int expected = (int)((uint)StableHash.Murmur3(output.WrittenSpan) % 128u);
            backend.SetCurrentKey(key);
            Assert.Equal(expected, backend.CurrentKeyGroup);
            backend.SetCurrentKey(key); // same bytes, same group, every time
            Assert.Equal(expected, backend.CurrentKeyGroup);
            Assert.Equal(expected, KeyGroupRangeAssignment.ComputeKeyGroupForKeyHash(StableHash.Murmur3(output.WrittenSpan), 128));
        }
    }

    [Fact]
    public void Operator_ranges_partition_the_key_groups_and_invert_the_operator_index()
    {
        int[] maxParallelisms = [1, 2, 3, 7, 64, 100, 128, 129, 200, 256];
        foreach (int maxP in maxParallelisms)
        {
            for (int p = 1; p <= maxP; p++)
            {
                int expectedStart = 0;
                for (int op = 0; op < p; op++)
                {
                    var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(maxP, p, op);
                    Assert.Equal(expectedStart, range.StartKeyGroup);
                    Assert.True(range.Count >= 1, $"maxP={maxP} p={p} op={op}: empty range {range}");
                    for (int g = range.StartKeyGroup; g <= range.EndKeyGroup; g++)
                    {
                        Assert.Equal(op, KeyGroupRangeAssignment.ComputeOperatorIndexForKeyGroup(maxP, p, g));
                    }
                    expectedStart = range.EndKeyGroup + 1;
                }
                Assert.Equal(maxP, expectedStart);
            }
        }
    }

    [Fact]
    public void A_key_outside_the_range_is_rejected_with_its_group_and_the_range()
    {
        var pool = new Memory.MemorySegmentPool(1 << 20, 4096, "managed");
        var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(128, 4, 1);
        using var backend = new BinaryKeyedStateBackend<long>("sum-op", range, 128, pool, new SerializerRegistry());
        long outside = Enumerable.Range(0, 10_000).Select(i => (long)i).First(k => !range.Contains(GroupOf(k)));
        var e = Assert.Throws<InvalidOperationException>(() => backend.SetCurrentKey(outside));
        Assert.Contains($"key group {GroupOf(outside)}", e.Message);
        Assert.Contains(range.ToString(), e.Message);
        Assert.Contains("sum-op", e.Message);
        Assert.Throws<InvalidOperationException>(() => backend.CurrentKey); // no half-set key remains

        long inside = Enumerable.Range(0, 10_000).Select(i => (long)i).First(k => range.Contains(GroupOf(k)));
        backend.SetCurrentKey(inside);
        Assert.Equal(inside, backend.CurrentKey);
    }

    private static int GroupOf(long key) => KeyGroupRangeAssignment.AssignToKeyGroup(BitConverter.GetBytes(key), 128);
}
