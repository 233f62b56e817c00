using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>
/// Window joins, co-groups and interval joins in whole jobs at parallelism 1, 2 and 4 against nested-loop references
/// over generated in-bound arrivals of two sources with their own punctuated watermarks. Every subtask must end
/// with no state and no timer.
/// </summary>
public sealed class JoinApiTests
{
    private static Arbitrary<(long Size, long Slide, Arrival[] Left, Arrival[] Right)> WindowScenarios(bool sliding) =>
        (from size in Gen.Choose(1, 20)
         from slide in sliding ? Gen.Choose(1, size) : Gen.Constant(size)
         from left in WindowApiTests.ArrivalsGen(5, 0, keys: 4)
         from right in WindowApiTests.ArrivalsGen(5, 0, keys: 4)
         select ((long)size, (long)slide, left, right)).ToArbitrary();

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(4, false)]
    public void Window_join_emits_every_pair_with_equal_keys_in_the_same_window(int parallelism, bool sliding)
    {
        Prop.ForAll(WindowScenarios(sliding), s =>
        {
            var env = WindowApiTests.Environment(parallelism);
            var probe = new WindowStateProbe();
            var left = WindowApiTests.Source(env, s.Left, 5, "left");
            var right = WindowApiTests.Source(env, s.Right, 5, "right");
            var joined = left.Join(right).Where(l => l.Key).EqualTo(r => r.Key)
                .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(s.Size), TimeSpan.FromMilliseconds(s.Slide)))
                .WithStateProbe(probe)
                .Apply((l, r) => (l.Key, LeftTs: l.Timestamp, LeftValue: l.Value, RightTs: r.Timestamp, RightValue: r.Value));
            var output = joined.Process(new WithTimestamp<(int, long, long, long, long)>()).CollectToList();
            env.Execute("window join");

            var expected = (
                from l in s.Left
                from r in s.Right
                where l.Key == r.Key
                from w in WindowReference.FixedWindowsOf(l.Timestamp, s.Size, s.Slide, 0)
                where w.Start <= r.Timestamp && r.Timestamp < w.End
                select ((l.Key, l.Timestamp, l.Value, r.Timestamp, r.Value), w.End - 1)).Order().ToList();
            Assert.Equal(expected, output.Results.Order().ToList());
            WindowApiTests.AssertClean(probe, parallelism);
        }).Check(WindowApiTests.Checks(maxTest: 8));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Window_co_group_sees_both_groups_of_every_key_and_window_even_when_one_is_empty(int parallelism)
    {
        Prop.ForAll(WindowScenarios(sliding: false), s =>
        {
            var env = WindowApiTests.Environment(parallelism);
            var left = WindowApiTests.Source(env, s.Left, 5, "left");
            var right = WindowApiTests.Source(env, s.Right, 5, "right");
            var output = left.CoGroup(right).Where(l => l.Key).EqualTo(r => r.Key)
                .Window(TumblingEventTimeWindows.Of(s.Size))
                .Apply(new CountingCoGroup())
                .Process(new WithTimestamp<(int, long, long, long)>()).CollectToList();
            env.Execute("co-group");

            var windows = s.Left.Select(a => (a.Key, Start: TimeWindow.GetWindowStartWithOffset(a.Timestamp, 0, s.Size)))
                .Concat(s.Right.Select(a => (a.Key, Start: TimeWindow.GetWindowStartWithOffset(a.Timestamp, 0, s.Size)))).Distinct();
            var expected = windows.Select(w =>
            {
                bool In(Arrival a) => a.Key == w.Key && a.Timestamp >= w.Start && a.Timestamp < w.Start + s.Size;
                return ((w.Key, (long)s.Left.Count(In), (long)s.Right.Count(In), s.Left.Where(In).Sum(a => a.Value) - s.Right.Where(In).Sum(a => a.Value)),
                    w.Start + s.Size - 1);
            }).Order().ToList();
            Assert.Equal(expected, output.Results.Order().ToList());
        }).Check(WindowApiTests.Checks(maxTest: 8));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Interval_join_emits_every_pair_within_the_bounds_once_and_cleans_up(int parallelism)
    {
        var scenarios = (from lower in Gen.Choose(-10, 5)
                         from width in Gen.Choose(0, 15)
                         from lowerExclusive in Gen.Elements(false, true)
                         from upperExclusive in Gen.Elements(false, true)
                         where width >= (lowerExclusive ? 1 : 0) + (upperExclusive ? 1 : 0)
                         from left in WindowApiTests.ArrivalsGen(5, 0, keys: 4)
                         from right in WindowApiTests.ArrivalsGen(5, 0, keys: 4)
                         select (Lower: (long)lower, Upper: (long)(lower + width), LowerExclusive: lowerExclusive, UpperExclusive: upperExclusive,
                             Left: left, Right: right)).ToArbitrary();
        Prop.ForAll(scenarios, s =>
        {
            var env = WindowApiTests.Environment(parallelism);
            var probe = new WindowStateProbe();
            var left = WindowApiTests.Source(env, s.Left, 5, "left").KeyBy(a => a.Key);
            var right = WindowApiTests.Source(env, s.Right, 5, "right").KeyBy(a => a.Key);
            var between = left.IntervalJoin(right).Between(TimeSpan.FromMilliseconds(s.Lower), TimeSpan.FromMilliseconds(s.Upper));
            if (s.LowerExclusive)
            {
                between.LowerBoundExclusive();
            }
            if (s.UpperExclusive)
            {
                between.UpperBoundExclusive();
            }
            var output = between.WithStateProbe(probe).Process(new PairWithTimestamps()).CollectToList();
            var result = env.Execute("interval join");

            long lo = s.LowerExclusive ? s.Lower + 1 : s.Lower;
            long hi = s.UpperExclusive ? s.Upper - 1 : s.Upper;
            var expected = (
                from l in s.Left
                from r in s.Right
                where l.Key == r.Key && r.Timestamp >= l.Timestamp + lo && r.Timestamp <= l.Timestamp + hi
                select Flat((l, r, Math.Max(l.Timestamp, r.Timestamp)))).Order().ToList();
            Assert.Equal(expected, output.Results.Select(Flat).Order().ToList());
            Assert.Equal(0, result.GetAccumulatorResult("IntervalJoin.numLateRecordsDropped"));
            WindowApiTests.AssertClean(probe, parallelism);
        }).Check(WindowApiTests.Checks(maxTest: 8));
    }

    private static (int, long, long, long, long, long) Flat((Arrival Left, Arrival Right, long Timestamp) p) =>
        (p.Left.Key, p.Left.Timestamp, p.Left.Value, p.Right.Timestamp, p.Right.Value, p.Timestamp);

    private sealed class CountingCoGroup : ICoGroupFunction<Arrival, Arrival, (int Key, long Left, long Right, long Difference)>
    {
        public void CoGroup(IEnumerable<Arrival> first, IEnumerable<Arrival> second, ICollector<(int Key, long Left, long Right, long Difference)> output)
        {
            var l = first.ToList();
            var r = second.ToList();
            int key = l.Count > 0 ? l[0].Key : r[0].Key;
            output.Collect((key, l.Count, r.Count, l.Sum(a => a.Value) - r.Sum(a => a.Value)));
        }
    }

    private sealed class PairWithTimestamps : ProcessJoinFunction<Arrival, Arrival, (Arrival Left, Arrival Right, long Timestamp)>
    {
        public override void ProcessElement(Arrival left, Arrival right, Context context, ICollector<(Arrival Left, Arrival Right, long Timestamp)> output)
        {
            Assert.Equal(left.Timestamp, context.LeftTimestamp);
            Assert.Equal(right.Timestamp, context.RightTimestamp);
            output.Collect((left, right, context.Timestamp));
        }
    }
}
