using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>
/// The slice table against the generic window operator (slicing disabled) over the same steps: same results with
/// the same timestamps, per key in the same order, the same late elements; and snapshots that restore (also at
/// another parallelism) into the run that never stopped.
/// </summary>
public sealed class WindowSliceTableTests
{
    private const int MaxParallelism = 128;
    private static readonly OutputTag<Ev> Late = new("late");

    /// <summary>An element (key, timestamp, value) or, with <see cref="IsWatermark"/>, a watermark at <see cref="Timestamp"/>.</summary>
    internal readonly record struct Step(bool IsWatermark, int Key, long Timestamp, long Value)
    {
        public override string ToString() => IsWatermark ? $"wm{Timestamp}" : $"k{Key}@{Timestamp}={Value}";
    }

    internal readonly record struct Spec(long Size, long Slide, long Offset, Step[] Steps)
    {
        public override string ToString() => $"size {Size}, slide {Slide}, offset {Offset}, steps [{string.Join(", ", Steps)}]";
    }

    private struct SumAggregator : ISliceAggregator<Ev, Ev>
    {
        public Ev First(Ev value) => value;

        public Ev Add(Ev accumulator, Ev value) => WindowTestFunctions.Sum(accumulator, value);

        public Ev Merge(Ev earlier, Ev later) => WindowTestFunctions.Sum(earlier, later);
    }

    private struct ListEmitter(List<(Ev Value, long Timestamp)> output) : ISliceWindowEmitter<int, Ev>
    {
        public void Emit(int key, TimeWindow window, Ev accumulator)
        {
            if (key != accumulator.Key)
            {
                throw new InvalidOperationException($"key {key} emitted with the accumulator of key {accumulator.Key}");
            }
            output.Add((accumulator, window.MaxTimestamp));
        }
    }

    private sealed class Run
    {
        public List<(Ev Value, long Timestamp)> Output { get; } = [];
        public List<(Ev Value, long Timestamp)> Late { get; } = [];
    }

    private static WindowSliceTable<int, Ev, Ev, SumAggregator> NewTable(Spec spec, KeyGroupRange? range = null) =>
        new("test", spec.Size, spec.Slide, spec.Offset, default, new UnmanagedSerializer<Ev>(), range ?? new KeyGroupRange(0, MaxParallelism - 1), MaxParallelism);

    private static int KeyGroupOf(int key) => KeyGroupRangeAssignment.AssignToKeyGroup(BitConverter.GetBytes(key), MaxParallelism);

    /// <summary>The generic operator (per-window state and timers) over the steps, ending with the final watermark.</summary>
    private static Run Reference(Spec spec)
    {
        WindowAssigner<TimeWindow> assigner = spec.Size == spec.Slide
            ? TumblingEventTimeWindows.Of(spec.Size, spec.Offset)
            : SlidingEventTimeWindows.Of(spec.Size, spec.Slide, spec.Offset);
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(assigner).DisableSlicing().SideOutputLateData(Late).Reduce(new SumReduce());
        using var harness = new WindowHarness<Ev, Ev, TimeWindow>(op);
        foreach (var step in spec.Steps.Append(new Step(true, 0, long.MaxValue, 0)))
        {
            if (step.IsWatermark)
            {
                harness.AdvanceWatermark(step.Timestamp);
            }
            else
            {
                harness.ProcessElement(step.Key, new Ev(step.Key, step.Value, 1), step.Timestamp);
            }
        }
        var run = new Run();
        run.Output.AddRange(harness.Output);
        run.Late.AddRange(harness.SideOutput.Select(s => ((Ev)s.Value!, s.Timestamp)));
        Assert.Equal(0, harness.StateEntries);
        return run;
    }

    /// <summary>Drives <paramref name="tables"/> (each key goes to the table whose range holds its key group).</summary>
    private static void Drive(IReadOnlyList<WindowSliceTable<int, Ev, Ev, SumAggregator>> tables, IEnumerable<Step> steps, Run run, Action? afterAdd = null)
    {
        var emitter = new ListEmitter(run.Output);
        foreach (var step in steps)
        {
            if (step.IsWatermark)
            {
                foreach (var table in tables)
                {
                    table.Fire(step.Timestamp, ref emitter);
                }
                continue;
            }
            var owner = tables.Single(t => t.KeyGroupRange.Contains(KeyGroupOf(step.Key)));
            var ev = new Ev(step.Key, step.Value, 1);
            if (owner.Add(step.Key, ev, step.Timestamp) == SliceAddResult.Late)
            {
                run.Late.Add((ev, step.Timestamp));
            }
            afterAdd?.Invoke();
        }
    }

    private static IEnumerable<Step> WithFinalWatermark(IEnumerable<Step> steps) => steps.Append(new Step(true, 0, long.MaxValue, 0));

    private static void AssertSameRun(Run expected, Run actual)
    {
        // Across keys the order within one watermark is not specified; per key it is the window order.
        Assert.Equal(expected.Output.OrderBy(o => o.Timestamp).ThenBy(o => o.Value.Key), actual.Output.OrderBy(o => o.Timestamp).ThenBy(o => o.Value.Key));
        foreach (var key in expected.Output.Select(o => o.Value.Key).Distinct())
        {
            Assert.Equal(expected.Output.Where(o => o.Value.Key == key), actual.Output.Where(o => o.Value.Key == key));
        }
        Assert.Equal(expected.Late.OrderBy(l => l.Timestamp).ThenBy(l => l.Value.Key).ThenBy(l => l.Value.Value),
            actual.Late.OrderBy(l => l.Timestamp).ThenBy(l => l.Value.Key).ThenBy(l => l.Value.Value));
    }

    private static Gen<Spec> Specs(long spread, long farFuture) =>
        from size in Gen.Choose(1, 12)
        from tumbling in Gen.Elements(true, false)
        from slide in tumbling ? Gen.Constant(size) : Gen.Choose(1, 12)
        from offset in Gen.Choose(-(slide - 1), slide - 1)
        from count in Gen.Choose(0, 60)
        from steps in Gen.ArrayOf(StepGen(spread, farFuture), count)
        select new Spec(size, slide, offset, Monotone(steps));

    private static Gen<Step> StepGen(long spread, long farFuture) =>
        from watermark in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from key in Gen.Choose(0, 5)
        from ts in Gen.Choose(0, (int)spread)
        from far in Gen.Frequency((9, Gen.Constant(0L)), (1, Gen.Elements(farFuture, -farFuture)))
        from value in Gen.Choose(1, 9)
        select new Step(watermark, key, ts + far, value);

    /// <summary>Watermarks must rise: each becomes the maximum of itself and the previous ones.</summary>
    private static Step[] Monotone(Step[] steps)
    {
        long watermark = long.MinValue;
        for (int i = 0; i < steps.Length; i++)
        {
            if (steps[i].IsWatermark)
            {
                watermark = Math.Max(watermark, steps[i].Timestamp);
                steps[i] = steps[i] with { Timestamp = watermark };
            }
        }
        return steps;
    }

    private static Config Checks(int maxTest) => Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true);

    [Fact]
    public void Matches_the_generic_operator_on_out_of_order_elements_of_tumbling_and_sliding_windows() =>
        Prop.ForAll(Specs(spread: 60, farFuture: 0).ToArbitrary(), spec =>
        {
            var table = NewTable(spec);
            var run = new Run();
            Drive([table], WithFinalWatermark(spec.Steps), run);
            AssertSameRun(Reference(spec), run);
            Assert.Equal(0, table.EntryCount);
            Assert.Equal(0, table.KeyCount);
        }).Check(Checks(300));

    [Fact]
    public void The_ring_grows_under_a_wide_out_of_order_spread_and_loses_nothing()
    {
        int grew = 0;
        int overflowed = 0;
        Prop.ForAll(Specs(spread: 2000, farFuture: 0).ToArbitrary(), spec =>
        {
            var table = NewTable(spec);
            int initialRing = table.RingSize;
            int maxRing = initialRing;
            int maxOverflow = 0;
            var run = new Run();
            Drive([table], WithFinalWatermark(spec.Steps), run, () =>
            {
                maxRing = Math.Max(maxRing, table.RingSize);
                maxOverflow = Math.Max(maxOverflow, table.OverflowCount);
            });
            AssertSameRun(Reference(spec), run);
            Assert.Equal(0, table.EntryCount);
            Assert.Equal(0, table.OverflowCount);
            grew += maxRing > initialRing ? 1 : 0;
            overflowed += maxOverflow > 0 ? 1 : 0;
        }).Check(Checks(200));
        // Elements up to 2000 ms apart in slices of at most 12 ms: some runs must have grown the ring, some spilled over it.
        Assert.True(grew > 0, "no run grew the ring");
        Assert.True(overflowed > 0, "no run used the overflow");
    }

    [Fact]
    public void A_ring_grows_when_an_element_needs_a_slice_beyond_it()
    {
        var spec = new Spec(10, 10, 0, []);
        var table = NewTable(spec);
        int initialRing = table.RingSize;
        Assert.Equal(SliceAddResult.Added, table.Add(1, new Ev(1, 1, 1), 5));
        Assert.Equal(SliceAddResult.Added, table.Add(1, new Ev(1, 2, 1), 405)); // 40 slices later
        Assert.Equal(SliceAddResult.Added, table.Add(2, new Ev(2, 4, 1), 7));
        Assert.True(table.RingSize >= 41 && table.RingSize > initialRing, $"ring {table.RingSize}");
        Assert.Equal(0, table.OverflowCount);
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        table.Fire(long.MaxValue, ref emitter);
        Assert.Equal([(new Ev(1, 1, 1), 9L), (new Ev(2, 4, 1), 9L), (new Ev(1, 2, 1), 409L)], output.OrderBy(o => o.Timestamp).ThenBy(o => o.Value.Key));
        Assert.Equal(0, table.EntryCount);
    }

    [Fact]
    public void Far_future_and_far_past_timestamps_go_to_the_overflow_and_fire_like_the_generic_operator()
    {
        int overflowed = 0;
        Prop.ForAll(Specs(spread: 60, farFuture: 1_000_000_000_000_000L).ToArbitrary(), spec =>
        {
            var table = NewTable(spec);
            int maxOverflow = 0;
            var run = new Run();
            Drive([table], WithFinalWatermark(spec.Steps), run, () => maxOverflow = Math.Max(maxOverflow, table.OverflowCount));
            AssertSameRun(Reference(spec), run);
            Assert.Equal(0, table.EntryCount);
            Assert.Equal(0, table.OverflowCount);
            Assert.True(table.RingSize <= WindowSliceTable<int, Ev, Ev, SumAggregator>.MaxRing);
            overflowed += maxOverflow > 0 ? 1 : 0;
        }).Check(Checks(300));
        Assert.True(overflowed > 0, "no run used the overflow");
    }

    [Fact]
    public void A_far_future_element_uses_the_overflow_and_still_fires_in_window_order()
    {
        var spec = new Spec(10, 5, 0, []);
        var table = NewTable(spec);
        const long Far = 1_000_000_000_000L;
        table.Add(1, new Ev(1, 1, 1), 3);
        table.Add(1, new Ev(1, 2, 1), Far + 3);
        table.Add(1, new Ev(1, 4, 1), 4);
        Assert.Equal(2, table.EntryCount); // (key 1, slice [0, 5)) and (key 1, the far slice)
        Assert.Equal(1, table.OverflowCount);
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        table.Fire(100, ref emitter);
        Assert.Equal([(new Ev(1, 5, 2), 4L), (new Ev(1, 5, 2), 9L)], output);
        table.Fire(long.MaxValue, ref emitter);
        Assert.Equal([(new Ev(1, 5, 2), 4L), (new Ev(1, 5, 2), 9L), (new Ev(1, 2, 1), Far + 4), (new Ev(1, 2, 1), Far + 9)], output);
        Assert.Equal(0, table.EntryCount);
        Assert.Equal(0, table.KeyCount);
    }

    [Fact]
    public void Late_elements_are_exactly_those_whose_windows_all_fired()
    {
        var spec = new Spec(10, 5, 0, []);
        var table = NewTable(spec);
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        Assert.Equal(SliceAddResult.Added, table.Add(1, new Ev(1, 1, 1), 12));
        table.Fire(14, ref emitter); // fires [5, 15)
        Assert.Equal([(new Ev(1, 1, 1), 14L)], output);
        Assert.Equal(SliceAddResult.Added, table.Add(1, new Ev(1, 2, 1), 10)); // [10, 20) is pending
        Assert.Equal(SliceAddResult.Late, table.Add(1, new Ev(1, 4, 1), 9)); // [0, 10) and [5, 15) fired
        Assert.Equal(SliceAddResult.Late, table.Add(2, new Ev(2, 4, 1), 4)); // windows without data count as fired
        table.Fire(19, ref emitter);
        Assert.Equal([(new Ev(1, 1, 1), 14L), (new Ev(1, 3, 2), 19L)], output);
        Assert.Equal(0, table.EntryCount);
    }

    [Fact]
    public void Elements_between_windows_are_neither_added_nor_late_until_the_watermark_passes_them()
    {
        var spec = new Spec(2, 5, 0, []); // windows [0, 2), [5, 7), ...
        var table = NewTable(spec);
        Assert.Equal(SliceAddResult.NoWindow, table.Add(1, new Ev(1, 1, 1), 3));
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        table.Fire(3, ref emitter);
        Assert.Equal(SliceAddResult.Late, table.Add(1, new Ev(1, 1, 1), 3));
        Assert.Equal(SliceAddResult.NoWindow, table.Add(1, new Ev(1, 1, 1), 4));
        Assert.Empty(output);
    }

    [Fact]
    public void A_restored_snapshot_continues_as_the_run_that_never_stopped_also_at_another_parallelism() =>
        Prop.ForAll(Specs(spread: 80, farFuture: 1_000_000_000_000L).ToArbitrary(), Gen.Choose(0, 60).ToArbitrary(), Gen.Elements((1, 1), (1, 2), (2, 1), (2, 3)).ToArbitrary(),
            (spec, cut, parallelism) =>
            {
                cut = Math.Min(cut, spec.Steps.Length);
                var (before, after) = parallelism;
                var expected = new Run();
                Drive([NewTable(spec)], WithFinalWatermark(spec.Steps), expected);

                var run = new Run();
                var first = Ranges(before).Select(r => NewTable(spec, r)).ToList();
                Drive(first, spec.Steps.Take(cut), run);
                var snapshots = first.Select(t =>
                {
                    var writer = t.Snapshot(checkpointId: 1, incremental: true);
                    Assert.False(writer.IsIncremental);
                    using var buffer = new MemoryStream();
                    writer.WriteTo(buffer);
                    writer.Release();
                    return buffer.ToArray();
                }).ToList();
                var second = Ranges(after).Select(r =>
                {
                    var table = NewTable(spec, r);
                    table.Restore(snapshots.Select(bytes => (IReadOnlyList<Func<Stream>>)[() => new MemoryStream(bytes)]).ToList());
                    return table;
                }).ToList();
                Drive(second, WithFinalWatermark(spec.Steps.Skip(cut)), run);
                AssertSameRun(expected, run);
                Assert.All(second, t => Assert.Equal(0, t.EntryCount));
            }).Check(Checks(200));

    [Fact]
    public void Restoring_subtasks_that_fired_up_to_different_watermarks_fires_each_key_window_once()
    {
        var spec = new Spec(10, 5, 0, []);
        var ranges = Ranges(2).ToList();
        int a = Enumerable.Range(0, 1000).First(k => ranges[0].Contains(KeyGroupOf(k)));
        int b = Enumerable.Range(0, 1000).First(k => ranges[1].Contains(KeyGroupOf(k)));
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        var first = NewTable(spec, ranges[0]);
        var second = NewTable(spec, ranges[1]);
        first.Add(a, new Ev(a, 1, 1), 12);
        second.Add(b, new Ev(b, 2, 1), 12);
        first.Fire(14, ref emitter); // [5, 15) of a fired here; the other subtask's watermark is behind
        second.Fire(9, ref emitter);
        Assert.Equal([(new Ev(a, 1, 1), 14L)], output);
        var snapshots = new[] { first, second }.Select(t =>
        {
            using var buffer = new MemoryStream();
            t.Snapshot(1, false).WriteTo(buffer);
            return buffer.ToArray();
        }).ToList();
        var restored = NewTable(spec);
        restored.Restore(snapshots.Select(bytes => (IReadOnlyList<Func<Stream>>)[() => new MemoryStream(bytes)]).ToList());
        output.Clear();
        restored.Fire(14, ref emitter);
        Assert.Equal([(new Ev(b, 2, 1), 14L)], output);
        restored.Fire(long.MaxValue, ref emitter);
        Assert.Equal([(new Ev(a, 1, 1), 19L), (new Ev(b, 2, 1), 19L)], output.Skip(1).OrderBy(o => o.Value.Key == a ? 0 : 1));
        Assert.Equal(0, restored.EntryCount);
    }

    [Fact]
    public void The_synchronous_phase_captures_the_state_so_later_elements_do_not_reach_the_snapshot()
    {
        var spec = new Spec(10, 10, 0, []);
        var table = NewTable(spec);
        table.Add(1, new Ev(1, 1, 1), 1);
        var writer = table.Snapshot(1, incremental: false);
        table.Add(1, new Ev(1, 10, 1), 2);
        table.Add(2, new Ev(2, 100, 1), 3);
        using var buffer = new MemoryStream();
        writer.WriteTo(buffer);
        var restored = NewTable(spec);
        restored.Restore([[() => new MemoryStream(buffer.ToArray())]]);
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        restored.Fire(long.MaxValue, ref emitter);
        Assert.Equal([(new Ev(1, 1, 1), 9L)], output);
    }

    [Fact]
    public void A_snapshot_of_other_windows_is_refused_with_a_message()
    {
        var table = NewTable(new Spec(10, 10, 0, []));
        table.Add(1, new Ev(1, 1, 1), 1);
        using var buffer = new MemoryStream();
        table.Snapshot(1, false).WriteTo(buffer);
        var other = NewTable(new Spec(20, 10, 0, []));
        var e = Assert.Throws<InvalidDataException>(() => other.Restore([[() => new MemoryStream(buffer.ToArray())]]));
        Assert.Contains("size 10", e.Message);
    }

    [Fact]
    public void A_key_that_returns_keeps_its_entry_and_one_that_went_away_is_removed_at_the_next_window()
    {
        var table = NewTable(new Spec(10, 10, 0, []));
        var output = new List<(Ev Value, long Timestamp)>();
        var emitter = new ListEmitter(output);
        table.Add(1, new Ev(1, 1, 1), 1);
        table.Add(2, new Ev(2, 1, 1), 2);
        table.Add(3, new Ev(3, 1, 1), 25);
        table.Fire(9, ref emitter);
        Assert.Equal(2, output.Count);
        Assert.Equal(3, table.KeyCount); // keys 1 and 2 are empty now but may come back
        Assert.Equal(1, table.EntryCount);
        table.Add(1, new Ev(1, 5, 1), 15);
        table.Fire(19, ref emitter);
        Assert.Equal((new Ev(1, 5, 1), 19L), output[^1]);
        Assert.Equal(2, table.KeyCount); // key 2 stayed empty for a whole window: removed
        table.Add(2, new Ev(2, 7, 1), 21);
        table.Fire(long.MaxValue, ref emitter);
        Assert.Equal([(new Ev(2, 7, 1), 29L), (new Ev(3, 1, 1), 29L)], output.Skip(3).OrderBy(o => o.Value.Key));
        Assert.Equal(0, table.KeyCount);
        Assert.Equal(0, table.EntryCount);
    }

    [Fact]
    public void Adding_an_element_allocates_nothing_after_warm_up()
    {
        var spec = new Spec(1000, 100, 0, []);
        var table = NewTable(spec);
        var output = new List<(Ev Value, long Timestamp)>(1 << 18);
        var emitter = new ListEmitter(output);
        for (int i = 0; i < 20_000; i++)
        {
            table.Add(i % 1000, new Ev(i % 1000, 1, 1), i / 10);
            if (i % 100 == 99)
            {
                table.Fire((i / 10) - 1, ref emitter);
            }
        }
        output.Clear();
        const int Records = 100_000;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 20_000; i < 20_000 + Records; i++)
        {
            table.Add(i % 1000, new Ev(i % 1000, 1, 1), i / 10);
            if (i % 100 == 99)
            {
                table.Fire((i / 10) - 1, ref emitter);
            }
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(output.Count > 0);
        Assert.True(allocated == 0, $"{allocated} bytes for {Records} records");
    }

    private static IEnumerable<KeyGroupRange> Ranges(int parallelism) =>
        Enumerable.Range(0, parallelism).Select(i => KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(MaxParallelism, parallelism, i));
}
