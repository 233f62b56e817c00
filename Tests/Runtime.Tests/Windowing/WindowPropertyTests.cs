using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>
/// Every window kind against an independent reference (<see cref="WindowReference"/>) over generated arrivals
/// with bounded disorder: the watermark after each element is max timestamp − bound − 1. In-bound elements give
/// exactly the grouping by window bounds (or gap-based sessions); elements beyond the bound go to the late side
/// output exactly; with allowed lateness the re-firings equal the reference's. After the final watermark the
/// state backend holds no entry and no timer is left. FsCheck prints the counterexample and its replay seed.
/// </summary>
public sealed class WindowPropertyTests
{
    private static readonly Config Checks = Config.QuickThrowOnFailure.WithMaxTest(120).WithEndSize(60);
    private static readonly OutputTag<Ev> LateTag = new("late");

    /// <summary>A generated case: window parameters, disorder bound, allowed lateness and the arrivals.</summary>
    internal sealed record Scenario(long Size, long Slide, long Offset, long Lateness, int Bound, Arrival[] Arrivals)
    {
        public override string ToString() =>
            $"size {Size}, slide {Slide}, offset {Offset}, lateness {Lateness}, bound {Bound}, arrivals [{string.Join(", ", Arrivals.Select(a => $"k{a.Key}@{a.Timestamp}={a.Value}"))}]";
    }

    /// <summary>
    /// Arrivals on a clock that moves forward by 0..5 per element from a start in -60..60 (negative timestamps
    /// too); an in-bound element is up to <paramref name="bound"/> behind the clock, and with chance
    /// <paramref name="latePercent"/> % an element is further behind (possibly late).
    /// </summary>
    private static Gen<Arrival[]> ArrivalsGen(int bound, int latePercent, int lateSpread) =>
        from start in Gen.Choose(-60, 60)
        from steps in (
            from key in Gen.Choose(0, 2)
            from advance in Gen.Choose(0, 5)
            from roll in Gen.Choose(0, 99)
            from back in Gen.Choose(0, bound)
            from far in Gen.Choose(0, lateSpread)
            from value in Gen.Choose(1, 9)
            select (key, advance, roll, back, far, value)).ArrayOf()
        select Build(start, steps, bound, latePercent);

    private static Arrival[] Build(int start, (int Key, int Advance, int Roll, int Back, int Far, int Value)[] steps, int bound, int latePercent)
    {
        long clock = start;
        var arrivals = new Arrival[steps.Length];
        for (int i = 0; i < steps.Length; i++)
        {
            var s = steps[i];
            clock += s.Advance;
            long ts = s.Roll < latePercent ? clock - bound - 1 - s.Far : clock - s.Back;
            arrivals[i] = new Arrival(s.Key, ts, s.Value);
        }
        return arrivals;
    }

    private static Arbitrary<Scenario> FixedScenarios(bool sliding, int latePercent, bool lateness) =>
        (from size in Gen.Choose(1, 20)
         from slide in sliding ? Gen.Choose(1, 20) : Gen.Constant(size)
         from offset in Gen.Choose(-(slide - 1), slide - 1)
         from allowed in lateness ? Gen.Choose(0, 15) : Gen.Constant(0)
         from bound in Gen.Choose(0, 6)
         from arrivals in ArrivalsGen(bound, latePercent, 30)
         select new Scenario(size, slide, offset, allowed, bound, arrivals)).ToArbitrary();

    private static WindowOperatorBuilder<Ev, int, TimeWindow> Builder(Scenario s, bool sliding, bool slicing)
    {
        WindowAssigner<TimeWindow> assigner = sliding ? SlidingEventTimeWindows.Of(s.Size, s.Slide, s.Offset) : TumblingEventTimeWindows.Of(s.Size, s.Offset);
        var builder = new WindowOperatorBuilder<Ev, int, TimeWindow>(assigner).AllowedLateness(s.Lateness).SideOutputLateData(LateTag);
        return slicing ? builder : builder.DisableSlicing();
    }

    private static void AssertClean(RunResult result)
    {
        Assert.Equal(0, result.StateEntries);
        Assert.Equal(0, result.PendingTimers);
    }

    private static void AssertLate(List<Arrival> expected, RunResult result) =>
        Assert.Equal(
            expected.Select(a => ((string, object?, long))("late", new Ev(a.Key, a.Value, 1), a.Timestamp)).ToList(),
            result.Side);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void In_bound_fixed_windows_equal_the_grouping_by_window_bounds(bool sliding)
    {
        Prop.ForAll(FixedScenarios(sliding, latePercent: 0, lateness: false), s =>
        {
            var expected = WindowReference.Sorted(WindowReference.GroupByWindow(s.Arrivals, ts => WindowReference.FixedWindowsOf(ts, s.Size, s.Slide, s.Offset)));
            foreach (var kind in Enum.GetValues<FunctionKind>())
            {
                foreach (bool slicing in new[] { true, false })
                {
                    var result = WindowRuns.EventTime(Builder(s, sliding, slicing), kind, s.Arrivals, s.Bound);
                    Assert.Equal(expected, WindowReference.Sorted(result.Firings));
                    Assert.Empty(result.Side);
                    AssertClean(result);
                }
            }
        }).Check(Checks);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Late_elements_and_allowed_lateness_match_the_reference_on_both_paths(bool sliding)
    {
        int lateSeen = 0;
        int refired = 0;
        Prop.ForAll(FixedScenarios(sliding, latePercent: 25, lateness: true), s =>
        {
            var (firings, late) = WindowReference.FixedWindows(
                s.Arrivals, ts => WindowReference.FixedWindowsOf(ts, s.Size, s.Slide, s.Offset), s.Bound, s.Lateness);
            var expected = WindowReference.Sorted(firings);
            lateSeen += late.Count;
            refired += firings.Count - firings.Select(f => (f.Item1.Key, f.Item2)).Distinct().Count();
            RunResult? sliced = null;
            foreach (var kind in Enum.GetValues<FunctionKind>())
            {
                foreach (bool slicing in new[] { true, false })
                {
                    var result = WindowRuns.EventTime(Builder(s, sliding, slicing), kind, s.Arrivals, s.Bound);
                    Assert.Equal(expected, WindowReference.Sorted(result.Firings));
                    AssertLate(late, result);
                    AssertClean(result);
                    bool expectSlicing = slicing && kind != FunctionKind.Process;
                    Assert.Equal(expectSlicing ? typeof(SlicingWindowOperator<,,,>) : typeof(WindowOperator<,,,,>), result.OperatorType);
                    if (kind == FunctionKind.Reduce && slicing)
                    {
                        sliced = result;
                    }
                    else if (kind == FunctionKind.Reduce)
                    {
                        // The slicing and the generic path emit the same firings in the same order.
                        Assert.Equal(sliced!.Firings, result.Firings);
                    }
                }
            }
        }).Check(Checks);
        Assert.True(lateSeen > 0, "no generated case had a late element; the property would not cover the side output");
        Assert.True(refired > 0, "no generated case re-fired a window; the property would not cover allowed lateness");
    }

    private static Arbitrary<Scenario> SessionScenarios(int latePercent, bool lateness) =>
        (from gap in Gen.Choose(1, 12)
         from allowed in lateness ? Gen.Choose(0, 15) : Gen.Constant(0)
         from bound in Gen.Choose(0, 6)
         from arrivals in ArrivalsGen(bound, latePercent, 40)
         select new Scenario(gap, gap, 0, allowed, bound, arrivals)).ToArbitrary();

    private static WindowOperatorBuilder<Ev, int, TimeWindow> SessionBuilder(Scenario s) =>
        new WindowOperatorBuilder<Ev, int, TimeWindow>(EventTimeSessionWindows.WithGap(s.Size)).AllowedLateness(s.Lateness).SideOutputLateData(LateTag);

    [Fact]
    public void In_bound_sessions_equal_gap_based_sessions()
    {
        // The watermark lags one more than the disorder, so no in-bound element can touch a session that already fired.
        Prop.ForAll(SessionScenarios(latePercent: 0, lateness: false), s =>
        {
            var expected = WindowReference.Sorted(WindowReference.GapSessions(s.Arrivals, s.Size));
            foreach (var kind in Enum.GetValues<FunctionKind>())
            {
                var result = WindowRuns.EventTime(SessionBuilder(s), kind, s.Arrivals, s.Bound + 1);
                Assert.Equal(expected, WindowReference.Sorted(result.Firings));
                Assert.Empty(result.Side);
                AssertClean(result);
            }
        }).Check(Checks);
    }

    [Fact]
    public void Sessions_with_late_elements_and_allowed_lateness_match_the_reference()
    {
        int lateSeen = 0;
        Prop.ForAll(SessionScenarios(latePercent: 25, lateness: true), s =>
        {
            var (firings, late) = WindowReference.Sessions(s.Arrivals, s.Size, s.Bound, s.Lateness);
            lateSeen += late.Count;
            var expected = WindowReference.Sorted(firings);
            foreach (var kind in Enum.GetValues<FunctionKind>())
            {
                var result = WindowRuns.EventTime(SessionBuilder(s), kind, s.Arrivals, s.Bound);
                Assert.Equal(expected, WindowReference.Sorted(result.Firings));
                AssertLate(late, result);
                AssertClean(result);
            }
        }).Check(Checks);
        Assert.True(lateSeen > 0, "no generated case had a late element");
    }

    [Fact]
    public void Dropped_late_elements_are_counted_when_there_is_no_side_output()
    {
        Prop.ForAll(FixedScenarios(sliding: true, latePercent: 30, lateness: true), s =>
        {
            var (_, late) = WindowReference.FixedWindows(s.Arrivals, ts => WindowReference.FixedWindowsOf(ts, s.Size, s.Slide, s.Offset), s.Bound, s.Lateness);
            foreach (bool slicing in new[] { true, false })
            {
                var builder = new WindowOperatorBuilder<Ev, int, TimeWindow>(SlidingEventTimeWindows.Of(s.Size, s.Slide, s.Offset)).AllowedLateness(s.Lateness);
                var result = WindowRuns.EventTime(slicing ? builder : builder.DisableSlicing(), FunctionKind.Reduce, s.Arrivals, s.Bound);
                Assert.Empty(result.Side);
                Assert.Equal(late.Count, result.Dropped);
            }
        }).Check(Checks);
    }

    /// <summary>Processing-time arrivals: the timestamp field is the clock delta before the element (0..7).</summary>
    private static Arbitrary<Scenario> ProcessingScenarios(bool sliding) =>
        (from size in Gen.Choose(1, 20)
         from slide in sliding ? Gen.Choose(1, 20) : Gen.Constant(size)
         from offset in Gen.Choose(-(slide - 1), slide - 1)
         from steps in (from key in Gen.Choose(0, 2) from delta in Gen.Choose(0, 7) from value in Gen.Choose(1, 9) select new Arrival(key, delta, value)).ArrayOf()
         select new Scenario(size, slide, offset, 0, 0, steps)).ToArbitrary();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Processing_time_windows_fire_what_arrived_before_their_end(bool sliding)
    {
        Prop.ForAll(ProcessingScenarios(sliding), s =>
        {
            // Reference: contents per (key, window of the arrival's processing time); a window fires, and is
            // emptied, when the clock reaches its max timestamp.
            var expected = new List<(Firing, long)>();
            var open = new Dictionary<(int Key, long End), (long Sum, long Count)>();
            long now = 1000;
            void Advance(long to)
            {
                foreach (var w in open.Keys.Where(w => w.End - 1 <= to).ToList())
                {
                    expected.Add((new Firing(w.Key, w.End - 1, open[w].Sum, open[w].Count), w.End - 1));
                    open.Remove(w);
                }
            }
            foreach (var step in s.Arrivals)
            {
                now += step.Timestamp;
                Advance(now);
                foreach (var (_, end) in WindowReference.FixedWindowsOf(now, s.Size, s.Slide, s.Offset))
                {
                    var (sum, count) = open.GetValueOrDefault((step.Key, end));
                    open[(step.Key, end)] = (sum + step.Value, count + 1);
                }
            }
            Advance(long.MaxValue);
            WindowAssigner<TimeWindow> assigner = sliding
                ? SlidingProcessingTimeWindows.Of(s.Size, s.Slide, s.Offset)
                : TumblingProcessingTimeWindows.Of(s.Size, s.Offset);
            foreach (var kind in Enum.GetValues<FunctionKind>())
            {
                var result = WindowRuns.ProcessingTime(new WindowOperatorBuilder<Ev, int, TimeWindow>(assigner), kind, s.Arrivals);
                Assert.Equal(WindowReference.Sorted(expected), WindowReference.Sorted(result.Firings));
                AssertClean(result);
            }
        }).Check(Checks);
    }

    [Fact]
    public void Processing_time_sessions_close_after_the_gap()
    {
        Prop.ForAll(
            (from gap in Gen.Choose(1, 10)
             from steps in (from key in Gen.Choose(0, 2) from delta in Gen.Choose(0, 12) from value in Gen.Choose(1, 9) select new Arrival(key, delta, value)).ArrayOf()
             select new Scenario(gap, gap, 0, 0, 0, steps)).ToArbitrary(),
            s =>
            {
                // Reference: per key, the open session [first, last + gap) fires once the clock reaches last + gap - 1.
                var expected = new List<(Firing, long)>();
                var open = new Dictionary<int, (long Start, long End, long Sum, long Count)>();
                long now = 1000;
                void Advance(long to)
                {
                    foreach (var key in open.Keys.Where(k => open[k].End - 1 <= to).ToList())
                    {
                        var o = open[key];
                        expected.Add((new Firing(key, o.End - 1, o.Sum, o.Count), o.End - 1));
                        open.Remove(key);
                    }
                }
                foreach (var step in s.Arrivals)
                {
                    now += step.Timestamp;
                    Advance(now);
                    open[step.Key] = open.TryGetValue(step.Key, out var o)
                        ? (o.Start, Math.Max(o.End, now + s.Size), o.Sum + step.Value, o.Count + 1)
                        : (now, now + s.Size, step.Value, 1);
                }
                Advance(long.MaxValue);
                foreach (var kind in Enum.GetValues<FunctionKind>())
                {
                    var result = WindowRuns.ProcessingTime(
                        new WindowOperatorBuilder<Ev, int, TimeWindow>(ProcessingTimeSessionWindows.WithGap(s.Size)), kind, s.Arrivals);
                    Assert.Equal(WindowReference.Sorted(expected), WindowReference.Sorted(result.Firings));
                    AssertClean(result);
                }
            }).Check(Checks);
    }

    [Fact]
    public void Count_windows_emit_every_n_elements_of_a_key_and_sliding_count_windows_the_last_size()
    {
        Prop.ForAll(
            (from size in Gen.Choose(1, 6)
             from slide in Gen.Choose(1, 6)
             from keys in Gen.Choose(0, 2).ArrayOf()
             select (Size: size, Slide: slide, Keys: keys)).ToArbitrary(),
            c =>
            {
                var tumbling = new List<(Firing, long)>();
                var slidingExpected = new List<(Firing, long)>();
                var seen = new Dictionary<int, List<long>>();
                for (int i = 0; i < c.Keys.Length; i++)
                {
                    int key = c.Keys[i];
                    long value = i + 1;
                    if (!seen.TryGetValue(key, out var values))
                    {
                        seen[key] = values = [];
                    }
                    values.Add(value);
                    if (values.Count % c.Size == 0)
                    {
                        var chunk = values.Skip(values.Count - c.Size).ToList();
                        tumbling.Add((new Firing(key, long.MaxValue, chunk.Sum(), chunk.Count), long.MaxValue));
                    }
                    if (values.Count % c.Slide == 0)
                    {
                        var last = values.Skip(Math.Max(0, values.Count - c.Size)).ToList();
                        slidingExpected.Add((new Firing(key, long.MaxValue, last.Sum(), last.Count), long.MaxValue));
                    }
                }
                var arrivals = c.Keys.Select((k, i) => new Arrival(k, i, i + 1)).ToArray();
                foreach (var kind in Enum.GetValues<FunctionKind>())
                {
                    var result = WindowRuns.EventTime(CountWindows.Of<Ev, int>(c.Size), kind, arrivals, 0);
                    Assert.Equal(tumbling, result.Firings);
                    AssertClean(result);
                    var sliding = WindowRuns.EventTime(CountWindows.Of<Ev, int>(c.Size, c.Slide), kind, arrivals, 0);
                    Assert.Equal(slidingExpected, sliding.Firings);
                    AssertClean(sliding);
                }
            }).Check(Checks);
    }
}
