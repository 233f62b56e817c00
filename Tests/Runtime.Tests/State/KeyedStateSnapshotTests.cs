using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Runtime.Tests.Time;
using DataflowCompiler.State;
using DataflowCompiler.State.Binary;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// Copy-on-write snapshots of the binary backend: a snapshot restores to the state at snapshot time although the task
/// kept writing while it was streamed; incremental chains restore like full snapshots; key groups move when rescaling;
/// segments come back; incremental snapshots stay small.
/// </summary>
public sealed class KeyedStateSnapshotTests
{
    private static readonly KeyGroupRange AllKeyGroups = new(0, SnapshotHarness.MaxParallelism - 1);

    private static readonly Gen<SnapshotOp> Op =
        from kind in Gen.Frequency(
            (6, Gen.Constant(SnapshotOp.PutSmall)), (2, Gen.Constant(SnapshotOp.PutLarge)), (2, Gen.Constant(SnapshotOp.ClearValue)),
            (5, Gen.Constant(SnapshotOp.ListAdd)), (1, Gen.Constant(SnapshotOp.ListClear)), (3, Gen.Constant(SnapshotOp.MapPut)),
            (2, Gen.Constant(SnapshotOp.MapRemove)), (1, Gen.Constant(SnapshotOp.CompactAll)))
        from key in Gen.Choose(0, 15)
        from arg in Gen.Choose(0, 40)
        select new SnapshotOp(kind, key, arg);

    [Fact]
    public void A_snapshot_restores_the_state_at_snapshot_time_while_the_task_keeps_writing() =>
        TimeProperties.Check(Gen.Zip(Op.ArrayOf(), Op.ArrayOf()).ToArbitrary(), ops =>
        {
            var (before, after) = ops;
            var pool = SnapshotHarness.SmallSegmentPool();
            var model = new StateModel();
            var harness = new SnapshotHarness(pool, AllKeyGroups);
            foreach (var op in before)
            {
                harness.Apply(op, model);
            }
            var expected = model.Dump();
            var snapshot = harness.Backend.Snapshot(1, incremental: false);
            Assert.False(snapshot.IsIncremental);
            int half = after.Length / 2;
            foreach (var op in after[..half])
            {
                harness.Apply(op, model); // before the writer starts: copy-on-write alone must protect the view
            }
            var stream = new MemoryStream();
            var writer = Task.Run(() =>
            {
                snapshot.WriteTo(stream);
                snapshot.Release();
            });
            foreach (var op in after[half..])
            {
                harness.Apply(op, model); // while the writer runs on another thread
            }
            Assert.True(writer.Wait(TimeSpan.FromMinutes(1)), "the snapshot writer hangs");
            Assert.Equal(model.Dump(), harness.Dump());
            harness.Apply(new SnapshotOp(SnapshotOp.CompactAll, 0, 0), model); // applies the release, then compacts
            Assert.Equal(model.Dump(), harness.Dump());

            var restored = new SnapshotHarness(pool, AllKeyGroups, [[stream.ToArray()]]);
            Assert.Equal(expected, restored.Dump());
            harness.Dispose();
            restored.Dispose();
            Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        }, maxTest: 150);

    [Fact]
    public void An_incremental_chain_restores_like_a_full_snapshot_and_aborted_snapshots_are_no_base() =>
        TimeProperties.Check(
            (from ops in Op.ArrayOf()
             from every in Gen.Choose(1, 8)
             from fates in Gen.Choose(0, 3).ArrayOf()
             select (ops, every, fates)).ToArbitrary(),
            input =>
            {
                var (ops, every, fates) = input;
                var pool = SnapshotHarness.SmallSegmentPool();
                var model = new StateModel();
                var harness = new SnapshotHarness(pool, AllKeyGroups);
                var chain = new List<byte[]>();
                long confirmed = -1;
                long id = 0;
                KeyedStateSnapshot? unreleased = null;
                int snapshots = 0;
                void Checkpoint(int fate)
                {
                    if (fate == 1)
                    {
                        unreleased?.Release(); // else the previous pin is still held while the next one is taken
                        unreleased = null;
                    }
                    var (snapshot, bytes) = harness.TakeSnapshot(++id, incremental: true);
                    Assert.Equal(confirmed >= 0, snapshot.IsIncremental);
                    Assert.Equal(confirmed, snapshot.BaseCheckpointId);
                    unreleased?.Release();
                    unreleased = snapshot;
                    if (fate == 0)
                    {
                        harness.Backend.NotifyCheckpointAborted(id);
                        return;
                    }
                    harness.Backend.NotifyCheckpointComplete(id);
                    if (!snapshot.IsIncremental)
                    {
                        chain.Clear();
                    }
                    chain.Add(bytes);
                    confirmed = id;
                }
                for (int i = 0; i < ops.Length; i++)
                {
                    harness.Apply(ops[i], model);
                    if ((i + 1) % every == 0)
                    {
                        Checkpoint(fates.Length == 0 ? 2 : fates[snapshots++ % fates.Length]);
                    }
                }
                Checkpoint(fate: 2);
                unreleased?.Release();
                var (full, fullBytes) = harness.TakeSnapshot(++id, incremental: false);
                full.Release();

                var fromChain = new SnapshotHarness(pool, AllKeyGroups, [chain]);
                var fromFull = new SnapshotHarness(pool, AllKeyGroups, [[fullBytes]]);
                Assert.Equal(model.Dump(), fromChain.Dump());
                Assert.Equal(model.Dump(), fromFull.Dump());
                Assert.Equal(model.Dump(), harness.Dump());
                var (afterRestore, _) = fromChain.TakeSnapshot(1, incremental: true);
                Assert.False(afterRestore.IsIncremental); // nothing confirmed since the restore
                afterRestore.Release();
                foreach (var h in (SnapshotHarness[])[harness, fromChain, fromFull])
                {
                    h.Dispose();
                }
                Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
            },
            maxTest: 150);

    [Fact]
    public void An_incremental_snapshot_carries_removals_and_reinserts_since_the_confirmed_base_only()
    {
        var pool = SnapshotHarness.SmallSegmentPool();
        var model = new StateModel();
        using var harness = new SnapshotHarness(pool, AllKeyGroups);
        for (int key = 0; key < 10; key++)
        {
            harness.Apply(new SnapshotOp(SnapshotOp.PutSmall, key, 8), model);
        }
        var (full, fullBytes) = harness.TakeSnapshot(1, incremental: true);
        full.Release();
        harness.Backend.NotifyCheckpointComplete(1);
        harness.Apply(new SnapshotOp(SnapshotOp.ClearValue, 3, 0), model);
        harness.Apply(new SnapshotOp(SnapshotOp.ClearValue, 4, 0), model);
        harness.Apply(new SnapshotOp(SnapshotOp.PutSmall, 4, 9), model); // removed and inserted again
        var (aborted, _) = harness.TakeSnapshot(2, incremental: true);
        aborted.Release();
        harness.Backend.NotifyCheckpointAborted(2);
        harness.Apply(new SnapshotOp(SnapshotOp.PutSmall, 5, 7), model);
        var (delta, deltaBytes) = harness.TakeSnapshot(3, incremental: true);
        delta.Release();

        Assert.Equal(1, delta.BaseCheckpointId); // not the aborted 2
        Assert.Equal(4, delta.RecordsWritten); // tombstones of 3 and 4, entries of 4 and 5
        using var restored = new SnapshotHarness(pool, AllKeyGroups, [[fullBytes, deltaBytes]]);
        Assert.Equal(model.Dump(), restored.Dump());
    }

    [Fact]
    public void Rescaling_from_two_subtasks_to_three_and_from_three_to_one_puts_each_key_in_exactly_one_subtask()
    {
        var pool = new MemorySegmentPool(64L << 20, 4096, "managed");
        var random = new Random(42);
        var model = new StateModel();
        var old = Ranges(2).Select(range => new SnapshotHarness(pool, range)).ToArray();
        var chains = old.Select(_ => new List<byte[]>()).ToArray();
        for (int round = 0; round < 2; round++)
        {
            for (int n = 0; n < 3000; n++)
            {
                int key = random.Next(500);
                var op = new SnapshotOp(random.Next(SnapshotOp.CompactAll), key, random.Next(40));
                old.Single(h => h.Backend.KeyGroupRange.Contains(SnapshotHarness.KeyGroupOf(key))).Apply(op, model);
            }
            for (int s = 0; s < old.Length; s++)
            {
                var (snapshot, bytes) = old[s].TakeSnapshot(round + 1, incremental: true);
                Assert.Equal(round > 0, snapshot.IsIncremental);
                snapshot.Release();
                old[s].Backend.NotifyCheckpointComplete(round + 1);
                chains[s].Add(bytes);
            }
        }
        Assert.True(model.Dump().Count > 1000);

        var three = Ranges(3).Select(range => new SnapshotHarness(pool, range, chains)).ToArray();
        foreach (var harness in three)
        {
            Assert.Equal(model.Dump(harness.Backend.KeyGroupRange), harness.Dump());
        }
        Assert.Equal(model.Dump(), three.SelectMany(h => h.Dump()).Order(StringComparer.Ordinal).ToList()); // no key twice

        var fromThree = three.Select(h =>
        {
            var (snapshot, bytes) = h.TakeSnapshot(7, incremental: false);
            snapshot.Release();
            return (IReadOnlyList<byte[]>)[bytes];
        }).ToList();
        using var one = new SnapshotHarness(pool, Ranges(1)[0], fromThree);
        Assert.Equal(model.Dump(), one.Dump());
        foreach (var harness in old.Concat(three))
        {
            harness.Dispose();
        }
    }

    [Fact]
    public void Restored_state_asked_for_as_another_kind_names_the_state_the_operator_and_both_kinds()
    {
        var pool = SnapshotHarness.SmallSegmentPool();
        var model = new StateModel();
        byte[] bytes;
        using (var harness = new SnapshotHarness(pool, AllKeyGroups))
        {
            harness.Apply(new SnapshotOp(SnapshotOp.PutSmall, 1, 4), model);
            var (snapshot, written) = harness.TakeSnapshot(1, incremental: false);
            snapshot.Release();
            bytes = written;
        }
        using var backend = new BinaryKeyedStateBackend<int>(SnapshotHarness.OperatorName, AllKeyGroups, SnapshotHarness.MaxParallelism, pool, new SerializerRegistry());
        backend.Restore([[() => new MemoryStream(bytes)]]);
        var error = Assert.Throws<InvalidOperationException>(() => backend.GetListState(new ListStateDescriptor<byte[]>("v")));
        foreach (string part in (string[])["'v'", SnapshotHarness.OperatorName, "value", "list"])
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }
        var typeError = Assert.Throws<InvalidOperationException>(() => backend.GetValueState(new ValueStateDescriptor<long>("v")));
        Assert.Contains("System.Int64", typeError.Message, StringComparison.Ordinal);
        // The restored table is adopted by the matching descriptor.
        var state = backend.GetValueState(new ValueStateDescriptor<byte[]>("v"));
        backend.SetCurrentKey(1);
        Assert.Equal(SnapshotHarness.ValueBytes(1, 4, 4), state.Value());
    }

    [Fact]
    public async Task A_pin_suspends_compaction_and_keeps_segments_until_released_from_another_thread()
    {
        var pool = new MemorySegmentPool(1L << 20, 128, "managed");
        var table = new BinaryStateTable("t", "op", pool, new KeyGroupRange(0, 0));
        for (int key = 0; key < 200; key++)
        {
            table.Put(0, key, BitConverter.GetBytes(key), [], new byte[20]);
        }
        int segments = table.SegmentCount;
        var pin = table.Pin(baseVersion: -1);
        for (int key = 0; key < 200; key++)
        {
            Assert.True(table.Remove(0, key, BitConverter.GetBytes(key), []));
        }
        table.Compact();
        Assert.Equal(0, table.CompactionCount); // suspended
        Assert.Equal(segments, table.SegmentCount); // an empty table keeps its segments while pinned
        Assert.Equal(0, table.GarbageBytes); // dead marks are deferred too

        var stream = new MemoryStream();
        await Task.Run(() =>
        {
            using (var writer = new SnapshotWriter(stream))
            {
                Assert.Equal(200, pin.WriteTo(writer));
            }
            pin.Release();
        }).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(table.IsPinned); // the release waits for the table's own thread
        table.ApplyReleasedPins();
        Assert.False(table.IsPinned);
        Assert.Equal(1, table.CompactionCount); // the suspended compaction ran
        Assert.Equal(0, table.SegmentCount);
        table.Dispose();
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public async Task A_backend_disposed_during_a_snapshot_returns_its_segments_when_the_writer_releases()
    {
        var pool = SnapshotHarness.SmallSegmentPool();
        var model = new StateModel();
        var harness = new SnapshotHarness(pool, AllKeyGroups);
        for (int key = 0; key < 16; key++)
        {
            harness.Apply(new SnapshotOp(SnapshotOp.PutLarge, key, key), model);
            harness.Apply(new SnapshotOp(SnapshotOp.ListAdd, key, key), model);
            harness.Apply(new SnapshotOp(SnapshotOp.MapPut, key, key), model);
        }
        var snapshot = harness.Backend.Snapshot(1, incremental: false);
        harness.Apply(new SnapshotOp(SnapshotOp.PutLarge, 3, 40), model); // a copy of its own, also returned at dispose
        harness.Dispose();
        Assert.NotEqual(pool.TotalSegments, pool.AvailableSegments); // the writer still reads them

        var stream = new MemoryStream();
        await Task.Run(() =>
        {
            snapshot.WriteTo(stream);
            snapshot.Release();
        }).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        snapshot.Release(); // idempotent
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);

        var expected = new SnapshotHarness(pool, AllKeyGroups);
        var expectedModel = new StateModel();
        for (int key = 0; key < 16; key++)
        {
            expected.Apply(new SnapshotOp(SnapshotOp.PutLarge, key, key), expectedModel);
            expected.Apply(new SnapshotOp(SnapshotOp.ListAdd, key, key), expectedModel);
            expected.Apply(new SnapshotOp(SnapshotOp.MapPut, key, key), expectedModel);
        }
        using var restored = new SnapshotHarness(pool, AllKeyGroups, [[stream.ToArray()]]);
        Assert.Equal(expectedModel.Dump(), restored.Dump());
        expected.Dispose();
    }

    [Fact]
    public void An_incremental_snapshot_of_a_million_keys_with_one_percent_changed_is_at_most_five_percent_of_the_full_one()
    {
        const int Keys = 1_000_000;
        var pool = new MemorySegmentPool(128L << 20, MemorySegment.DefaultSize, "managed");
        using var backend = new BinaryKeyedStateBackend<int>("sum", AllKeyGroups, SnapshotHarness.MaxParallelism, pool, new SerializerRegistry());
        var state = backend.GetValueState(new ValueStateDescriptor<int>("count"));
        for (int key = 0; key < Keys; key++)
        {
            backend.SetCurrentKey(key);
            state.Update(key);
        }
        var full = backend.Snapshot(1, incremental: true);
        full.WriteTo(Stream.Null);
        full.Release();
        backend.NotifyCheckpointComplete(1);
        for (int key = 0; key < Keys; key += 100)
        {
            backend.SetCurrentKey(key);
            state.Update(-key);
        }
        var delta = backend.Snapshot(2, incremental: true);
        delta.WriteTo(Stream.Null);
        delta.Release();

        Assert.Equal(Keys, full.RecordsWritten);
        Assert.Equal(Keys / 100, delta.RecordsWritten);
        Assert.True(delta.BytesWritten * 20 <= full.BytesWritten, $"incremental {delta.BytesWritten} bytes, full {full.BytesWritten} bytes");
    }

    private static KeyGroupRange[] Ranges(int parallelism) =>
        Enumerable.Range(0, parallelism)
            .Select(i => KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(SnapshotHarness.MaxParallelism, parallelism, i))
            .ToArray();
}
