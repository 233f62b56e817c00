using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// Properties of restoring operator state at another parallelism: random contents of p old subtasks are snapshotted,
/// redistributed to q new subtasks and read back through the backend. FsCheck prints the counterexample and its
/// replay seed on failure.
/// </summary>
public sealed class OperatorStateRedistributionTests
{
    private static readonly Config Checks = Config.QuickThrowOnFailure.WithMaxTest(200);

    private static readonly ListStateDescriptor<int> SplitA = new("split-a");
    private static readonly ListStateDescriptor<int> SplitB = new("split-b");
    private static readonly ListStateDescriptor<int> Union = new("union");
    private static readonly MapStateDescriptor<int, string> Broadcast = new("broadcast");

    /// <summary>The elements of one old subtask: two split lists, one union list, one broadcast map.</summary>
    public sealed record OldSubtask(int[] A, int[] B, int[] U, Dictionary<int, string> Map)
    {
        public override string ToString() => $"A=[{string.Join(',', A)}] B=[{string.Join(',', B)}] U=[{string.Join(',', U)}] Map={Map.Count}";
    }

    private static readonly Arbitrary<(OldSubtask[] Old, int NewParallelism)> Cases =
        (from p in Gen.Choose(1, 7)
         from q in Gen.Choose(1, 9)
         from old in (from a in Gen.Choose(0, 1000).ArrayOf()
                      from b in Gen.Choose(0, 1000).ArrayOf()
                      from u in Gen.Choose(0, 1000).ArrayOf()
                      from keys in Gen.Choose(0, 50).ArrayOf()
                      select new OldSubtask(a, b, u, keys.Distinct().ToDictionary(static k => k, static k => "v" + k))).ArrayOf(p)
         select (Renumber(old), q)).ToArbitrary();

    /// <summary>Makes split elements unique across old subtasks (keeping the list lengths), so where an element went is unambiguous.</summary>
    private static OldSubtask[] Renumber(OldSubtask[] old)
    {
        int next = 0;
        return old.Select(o => o with
        {
            A = o.A.Select(_ => next++).ToArray(),
            B = o.B.Select(_ => next++).ToArray(),
        }).ToArray();
    }

    [Fact]
    public void Split_elements_are_restored_exactly_once_in_near_equal_contiguous_parts()
    {
        Prop.ForAll(Cases, c =>
        {
            var restored = Restore(c.Old, c.NewParallelism);
            foreach (var (descriptor, select) in new (ListStateDescriptor<int>, Func<OldSubtask, int[]>)[] { (SplitA, static o => o.A), (SplitB, static o => o.B) })
            {
                var expected = c.Old.SelectMany(select).ToArray();
                var parts = restored.Select(b => b.GetListState(descriptor).Get()).ToArray();
                // Every element exactly once.
                Assert.Equal(expected.Order(), parts.SelectMany(static p => p).Order());
                if (c.Old.Length == c.NewParallelism)
                {
                    // Same parallelism: every subtask keeps its own elements.
                    for (int i = 0; i < parts.Length; i++)
                    {
                        Assert.Equal(select(c.Old[i]), parts[i]);
                    }
                }
                else
                {
                    int smallest = expected.Length / c.NewParallelism;
                    Assert.All(parts, p => Assert.InRange(p.Count, smallest, smallest + 1));
                    AssertContiguous(expected, parts);
                }
            }
        }).Check(Checks);
    }

    [Fact]
    public void Every_subtask_gets_the_union()
    {
        Prop.ForAll(Cases, c =>
        {
            var expected = c.Old.SelectMany(static o => o.U).ToArray();
            foreach (var backend in Restore(c.Old, c.NewParallelism))
            {
                Assert.Equal(expected, backend.GetUnionListState(Union).Get());
            }
        }).Check(Checks);
    }

    [Fact]
    public void Subtask_i_gets_the_broadcast_copy_of_old_subtask_i_mod_p()
    {
        Prop.ForAll(Cases, c =>
        {
            var restored = Restore(c.Old, c.NewParallelism);
            for (int i = 0; i < restored.Length; i++)
            {
                var copy = restored[i].GetBroadcastState(Broadcast).Entries().OrderBy(static e => e.Key);
                Assert.Equal(c.Old[i % c.Old.Length].Map.OrderBy(static e => e.Key), copy);
            }
        }).Check(Checks);
    }

    [Fact]
    public void Larger_parts_rotate_between_split_states()
    {
        // 3 elements in each of two states over 2 subtasks: the first state gives its extra element to one subtask,
        // the second to the other, so both end with 3 elements in total.
        var old = new[] { new OldSubtask([1, 2, 3], [4, 5, 6], [], []) };
        var restored = Restore(old, 2);
        var totals = restored.Select(b => b.GetListState(SplitA).Get().Count + b.GetListState(SplitB).Get().Count).ToArray();
        Assert.Equal([3, 3], totals);
    }

    [Fact]
    public void Old_subtasks_that_disagree_on_a_mode_are_rejected()
    {
        var a = new OperatorStateSnapshotData([new NamedOperatorState("s", OperatorStateMode.Split, [])]);
        var b = new OperatorStateSnapshotData([new NamedOperatorState("s", OperatorStateMode.Union, [])]);
        var ex = Assert.Throws<InvalidOperationException>(() => OperatorStateRedistributor.Redistribute([a, b], 3));
        Assert.Contains("'s'", ex.Message);
    }

    private static OperatorStateBackend[] Restore(OldSubtask[] old, int newParallelism)
    {
        var snapshots = old.Select(static o =>
        {
            var backend = new OperatorStateBackend("op", new SerializerRegistry());
            backend.GetListState(SplitA).AddAll(o.A);
            backend.GetListState(SplitB).AddAll(o.B);
            backend.GetUnionListState(Union).AddAll(o.U);
            backend.GetBroadcastState(Broadcast).PutAll(o.Map);
            // Through the binary form, as a checkpoint would.
            return OperatorStateSnapshotData.Read(backend.Snapshot().ToArray());
        }).ToArray();
        var parts = OperatorStateRedistributor.Redistribute(snapshots, newParallelism);
        Assert.Equal(newParallelism, parts.Count);
        return parts.Select(static data =>
        {
            var backend = new OperatorStateBackend("op", new SerializerRegistry());
            backend.Restore(data);
            return backend;
        }).ToArray();
    }

    /// <summary>Each non-empty part is a contiguous run of the concatenation (elements are unique, see <see cref="Renumber"/>).</summary>
    private static void AssertContiguous(int[] expected, IReadOnlyList<int>[] parts)
    {
        foreach (var part in parts.Where(static p => p.Count > 0))
        {
            int start = Array.IndexOf(expected, part[0]);
            Assert.Equal(expected.AsSpan(start, part.Count).ToArray(), part);
        }
    }
}
