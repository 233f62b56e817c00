using DataflowCompiler.Functions;
using DataflowCompiler.Runtime.Tests.Time;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>
/// The window API in whole jobs at parallelism 1, 2 and 4, each against an independent reference
/// (<see cref="WindowReference"/>) over generated arrivals with bounded disorder. Watermarks are punctuated
/// (max timestamp − bound − 1 after every element), so every run is deterministic: a keyed window subtask sees its
/// keys' elements and all watermarks in source order. Results must carry the window's max timestamp across a network
/// edge, late elements must reach the late side output, and every subtask must end with no state and no timer.
/// </summary>
public sealed class WindowApiTests
{
    private static readonly OutputTag<Ev> LateTag = new("late");

    public enum Kind { Tumbling, Sliding, Session }

    public enum Fn { Reduce, Aggregate, Process }

    internal sealed record Scenario(long Size, long Slide, long Lateness, int Bound, Fn Fn, Arrival[] Arrivals)
    {
        public override string ToString() =>
            $"size/gap {Size}, slide {Slide}, lateness {Lateness}, bound {Bound}, {Fn}, arrivals [{string.Join(", ", Arrivals.Select(a => $"k{a.Key}@{a.Timestamp}={a.Value}"))}]";
    }

    /// <summary>Arrivals on a clock moving 0..5 per element, up to <paramref name="bound"/> behind it, some further behind (late).</summary>
    internal static Gen<Arrival[]> ArrivalsGen(int bound, int latePercent, int keys = 6) =>
        from start in Gen.Choose(-50, 50)
        from steps in (
            from key in Gen.Choose(0, keys - 1)
            from advance in Gen.Choose(0, 5)
            from roll in Gen.Choose(0, 99)
            from back in Gen.Choose(0, bound)
            from far in Gen.Choose(0, 25)
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
            arrivals[i] = new Arrival(s.Key, s.Roll < latePercent ? clock - bound - 1 - s.Far : clock - s.Back, s.Value);
        }
        return arrivals;
    }

    private static Arbitrary<Scenario> Scenarios(Kind kind, int latePercent) =>
        (from size in Gen.Choose(1, 15)
         from slide in kind == Kind.Sliding ? Gen.Choose(1, 15) : Gen.Constant(size)
         from lateness in Gen.Elements(0, 0, 3, 10)
         from bound in Gen.Choose(0, 6)
         from fn in Gen.Elements(Fn.Reduce, Fn.Aggregate, Fn.Process)
         from arrivals in ArrivalsGen(bound, latePercent)
         select new Scenario(size, slide, lateness, bound, fn, arrivals)).ToArbitrary();

    internal static Config Checks(int maxTest) => Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithEndSize(80).WithQuietOnSuccess(true);

    internal static StreamEnvironment Environment(int parallelism) =>
        StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = parallelism, BufferTimeout = TimeSpan.Zero });

    internal static DataStream<Arrival> Source(StreamEnvironment env, IReadOnlyList<Arrival> arrivals, long bound, string name = "arrivals") =>
        env.FromSource(new CollectionSource<Arrival>(arrivals),
            WatermarkStrategy.ForGenerator<Arrival>(_ => new PunctuatedBoundedGenerator<Arrival>(bound)).WithTimestampAssigner(a => a.Timestamp), name);

    internal static void AssertClean(WindowStateProbe probe, int parallelism)
    {
        Assert.Equal(parallelism, probe.Reports.Count);
        Assert.All(probe.Reports, r =>
        {
            Assert.Equal(0, r.StateEntries);
            Assert.Equal(0, r.EventTimers);
            Assert.Equal(0, r.ProcessingTimers);
        });
    }

    private static DataStream<Firing> Apply<W>(WindowedStream<Ev, int, W> windowed, Fn fn) where W : IWindow => fn switch
    {
        Fn.Reduce => windowed.Reduce(WindowTestFunctions.Sum, new ReducedFiring<W>()),
        Fn.Aggregate => windowed.Aggregate(new SumCountAggregate(), new AggregateFiring<W>()),
        _ => windowed.Process(new ElementsFiring<W>()),
    };

    [Theory]
    [InlineData(1, Kind.Tumbling)]
    [InlineData(2, Kind.Tumbling)]
    [InlineData(4, Kind.Tumbling)]
    [InlineData(1, Kind.Sliding)]
    [InlineData(2, Kind.Sliding)]
    [InlineData(4, Kind.Sliding)]
    [InlineData(1, Kind.Session)]
    [InlineData(2, Kind.Session)]
    [InlineData(4, Kind.Session)]
    public void Event_time_windows_with_lateness_and_late_side_output_match_the_reference(int parallelism, Kind kind)
    {
        Prop.ForAll(Scenarios(kind, latePercent: 10), s =>
        {
            var (firings, late) = kind == Kind.Session
                ? WindowReference.Sessions(s.Arrivals, s.Size, s.Bound, s.Lateness)
                : WindowReference.FixedWindows(s.Arrivals, ts => WindowReference.FixedWindowsOf(ts, s.Size, s.Slide, 0), s.Bound, s.Lateness);

            var env = Environment(parallelism);
            var probe = new WindowStateProbe();
            var keyed = Source(env, s.Arrivals, s.Bound).Map(a => new Ev(a.Key, a.Value, 1)).SetParallelism(1).KeyBy(e => e.Key);
            var windowed = kind switch
            {
                Kind.Session => (object)keyed.Window(EventTimeSessionWindows.WithGap(s.Size)),
                Kind.Sliding => keyed.Window(SlidingEventTimeWindows.Of(s.Size, s.Slide)),
                _ => keyed.Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(s.Size))),
            };
            var typed = (WindowedStream<Ev, int, TimeWindow>)windowed;
            var result = Apply(typed.AllowedLateness(s.Lateness).SideOutputLateData(LateTag).WithStateProbe(probe), s.Fn);
            var output = result.Rebalance().Process(new WithTimestamp<Firing>()).CollectToList();
            var lateOutput = result.GetSideOutput(LateTag).Process(new WithTimestamp<Ev>()).CollectToList();
            env.Execute("windows");

            Assert.Equal(WindowReference.Sorted(firings), WindowReference.Sorted(output.Results.Select(r => (r.Value, r.Timestamp))));
            Assert.All(output.Results, r => Assert.Equal(r.Value.MaxTimestamp, r.Timestamp));
            Assert.Equal(
                late.Select(a => (new Ev(a.Key, a.Value, 1), a.Timestamp)).OrderBy(x => x.Timestamp).ThenBy(x => x.Item1.Key).ThenBy(x => x.Item1.Value),
                lateOutput.Results.OrderBy(x => x.Timestamp).ThenBy(x => x.Value.Key).ThenBy(x => x.Value.Value));
            AssertClean(probe, parallelism);
            // Incremental tumbling and sliding windows without allowed lateness run on the slice table (int keys are raw bytes).
            bool sliceTable = kind != Kind.Session && s.Fn != Fn.Process && s.Lateness == 0;
            Assert.Equal(sliceTable ? parallelism : 0, probe.SliceTableSubtasks);
        }).Check(Checks(maxTest: 10));
    }

    [Fact]
    public void Allowed_lateness_fires_again_for_a_late_element_and_sends_later_ones_to_the_side_output()
    {
        // Tumbling 10 ms, lateness 5, no disorder allowed by the watermark (bound 0): after 25 the watermark is 24.
        var arrivals = new[]
        {
            new Arrival(1, 1, 1), new Arrival(1, 5, 2), new Arrival(1, 25, 4),  // [0,10) fires at watermark 24 with 3
            new Arrival(1, 8, 8),                                                // cleanup at 9 + 5 = 14 < 24: late
            new Arrival(1, 12, 16),                                              // [10,20) fired (empty? no: never created) -> late too
        };
        var arrivalsWithinLateness = new[]
        {
            new Arrival(1, 1, 1), new Arrival(1, 12, 2),                         // watermark 11: [0,10) fires with 1
            new Arrival(1, 3, 4),                                                // within lateness (cleanup 14 > 11): fires again with 5
            new Arrival(1, 40, 8), new Arrival(1, 2, 16),                        // watermark 39: [0,10) gone -> side output
        };
        (List<(Firing, long)> Output, List<(Ev, long)> Late, long Dropped) Run(Arrival[] input, bool sideOutput)
        {
            var env = Environment(1);
            var windowed = Source(env, input, 0).Map(a => new Ev(a.Key, a.Value, 1)).SetParallelism(1).KeyBy(e => e.Key)
                .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10))).AllowedLateness(TimeSpan.FromMilliseconds(5));
            if (sideOutput)
            {
                windowed.SideOutputLateData(LateTag);
            }
            var result = windowed.Process(new ElementsFiring<TimeWindow>());
            var output = result.Process(new WithTimestamp<Firing>()).CollectToList();
            var late = result.GetSideOutput(LateTag).Process(new WithTimestamp<Ev>()).CollectToList();
            var job = env.Execute("lateness");
            return (output.Results.ToList(), late.Results.ToList(), job.GetAccumulatorResult("Window.numLateRecordsDropped"));
        }

        var first = Run(arrivals, sideOutput: true);
        Assert.Equal([(new Firing(1, 9, 3, 2), 9L), (new Firing(1, 29, 4, 1), 29L)], first.Output);
        Assert.Equal([(new Ev(1, 8, 1), 8L), (new Ev(1, 16, 1), 12L)], first.Late);
        Assert.Equal(0, first.Dropped);

        var second = Run(arrivalsWithinLateness, sideOutput: true);
        Assert.Equal(
            [(new Firing(1, 9, 1, 1), 9L), (new Firing(1, 9, 5, 2), 9L), (new Firing(1, 19, 2, 1), 19L), (new Firing(1, 49, 8, 1), 49L)],
            second.Output.OrderBy(f => f.Item2).ThenBy(f => f.Item1.Sum).ToList());
        Assert.Equal([(new Ev(1, 16, 1), 2L)], second.Late);

        var dropped = Run(arrivals, sideOutput: false);
        Assert.Empty(dropped.Late);
        Assert.Equal(2, dropped.Dropped);
    }

    [Fact]
    public void Rich_window_functions_are_copied_per_subtask_opened_before_the_first_window_and_closed()
    {
        var env = Environment(3);
        var arrivals = Enumerable.Range(0, 60).Select(i => new Arrival(i % 7, i, 1)).ToArray();
        var output = Source(env, arrivals, 0).Map(a => new Ev(a.Key, a.Value, 1)).KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(20)))
            .Aggregate(new SumCountAggregate(), new OpenCheckingFiring<TimeWindow>()).CollectToList();
        env.Execute("rich window function");
        Assert.Equal(3, OpenCheckingFiring<TimeWindow>.Opened);
        Assert.Equal(3, OpenCheckingFiring<TimeWindow>.Closed);
        Assert.Equal(60, output.Results.Sum(f => f.Count));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Count_and_global_windows_match_per_key_chunks_of_the_arrival_order(int parallelism)
    {
        var scenarios = (from size in Gen.Choose(1, 6)
                         from slide in Gen.Choose(1, 6)
                         from arrivals in ArrivalsGen(3, 0)
                         select (Size: size, Slide: slide, Arrivals: arrivals)).ToArbitrary();
        Prop.ForAll(scenarios, s =>
        {
            var env = Environment(parallelism);
            var probes = new[] { new WindowStateProbe(), new WindowStateProbe(), new WindowStateProbe() };
            var keyed = Source(env, s.Arrivals, 3).Map(a => new Ev(a.Key, a.Value, 1)).SetParallelism(1).KeyBy(e => e.Key);
            var tumbling = keyed.CountWindow(s.Size).WithStateProbe(probes[0]).Reduce(WindowTestFunctions.Sum).CollectToList();
            var sliding = keyed.CountWindow(s.Size, s.Slide).WithStateProbe(probes[1]).Process(new ElementsFiring<GlobalWindow>()).CollectToList();
            var global = keyed.Window(GlobalWindows.Create()).Trigger(CountTrigger<Ev, GlobalWindow>.Of(s.Slide)).WithStateProbe(probes[2])
                .Aggregate(new SumCountAggregate(), new AggregateFiring<GlobalWindow>()).CollectToList();
            env.Execute("count windows");

            var byKey = s.Arrivals.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Select(a => a.Value).ToList());
            var expectedTumbling = byKey.SelectMany(kv => kv.Value.Chunk(s.Size).Where(c => c.Length == s.Size)
                .Select(c => new Ev(kv.Key, c.Sum(), c.Length))).OrderBy(e => e.Key).ThenBy(e => e.Value).ToList();
            Assert.Equal(expectedTumbling, tumbling.Results.OrderBy(e => e.Key).ThenBy(e => e.Value).ToList());

            var expectedSliding = byKey.SelectMany(kv => Enumerable.Range(1, kv.Value.Count / s.Slide).Select(i =>
            {
                int end = i * s.Slide;
                var last = kv.Value.Take(end).TakeLast(s.Size).ToList();
                return new Firing(kv.Key, long.MaxValue, last.Sum(), last.Count);
            })).OrderBy(f => f.Key).ThenBy(f => f.Sum).ThenBy(f => f.Count).ToList();
            Assert.Equal(expectedSliding, sliding.Results.OrderBy(f => f.Key).ThenBy(f => f.Sum).ThenBy(f => f.Count).ToList());

            var expectedGlobal = byKey.SelectMany(kv => Enumerable.Range(1, kv.Value.Count / s.Slide).Select(i =>
                new Firing(kv.Key, long.MaxValue, kv.Value.Take(i * s.Slide).Sum(), i * s.Slide))).OrderBy(f => f.Key).ThenBy(f => f.Count).ToList();
            Assert.Equal(expectedGlobal, global.Results.OrderBy(f => f.Key).ThenBy(f => f.Count).ToList());
            foreach (var probe in probes)
            {
                AssertClean(probe, parallelism);
            }
        }).Check(Checks(maxTest: 10));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void WindowAll_runs_in_one_subtask_and_matches_the_grouping_over_all_keys(int parallelism, bool sliding)
    {
        var scenarios = (from size in Gen.Choose(1, 15)
                         from slide in sliding ? Gen.Choose(1, 15) : Gen.Constant(size)
                         from arrivals in ArrivalsGen(4, 0)
                         select (Size: size, Slide: slide, Arrivals: arrivals)).ToArbitrary();
        Prop.ForAll(scenarios, s =>
        {
            var env = Environment(parallelism);
            var probe = new WindowStateProbe();
            var result = Source(env, s.Arrivals, 4).Rebalance().Map(a => a) // parallel upstream: the WindowAll task merges all channels
                .WindowAll(SlidingEventTimeWindows.Of(s.Size, s.Slide)).WithStateProbe(probe).Process(new AllFiring<TimeWindow>());
            var output = result.Process(new WithTimestamp<Firing>()).CollectToList();
            env.Execute("window all");

            var expected = WindowReference.Sorted(WindowReference.GroupByWindow(
                s.Arrivals.Select(a => a with { Key = -1 }).ToList(), ts => WindowReference.FixedWindowsOf(ts, s.Size, s.Slide, 0)));
            Assert.Equal(expected, WindowReference.Sorted(output.Results.Select(r => (r.Value, r.Timestamp))));
            AssertClean(probe, 1);
        }).Check(Checks(maxTest: 10));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void Processing_time_windows_group_elements_by_the_clock_when_they_were_processed(int parallelism, bool sliding)
    {
        var scenarios = (from size in Gen.Choose(1, 6)
                         // slide <= size: every element has a window, so the trigger sees it and the test knows when it was assigned.
                         from slide in sliding ? Gen.Choose(1, size) : Gen.Constant(size)
                         from steps in (from key in Gen.Choose(0, 5)
                                        from advance in Gen.Choose(0, 3)
                                        from value in Gen.Choose(1, 9)
                                        select (Key: key, Advance: advance, Value: value)).ArrayOf()
                         select (Size: size * 10L, Slide: slide * 10L, Steps: steps)).ToArbitrary();
        Prop.ForAll(scenarios, s =>
        {
            // Elements are processed at multiples of 10 ms and windows end at multiples of 10 ms minus 1, so a window's
            // timer never becomes due while an element of it is on its way: what fires is fixed by the test.
            var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
            var env = StreamEnvironment.CreateLocal(new StreamConfiguration
            {
                Parallelism = parallelism,
                BufferTimeout = TimeSpan.Zero,
                TimeProvider = clock,
                AutoWatermarkInterval = TimeSpan.Zero,
            });
            var source = new PushSource<Arrival>(1);
            var seen = new ElementCounter();
            var sink = new WaitingSink<(Firing Value, long Timestamp)>();
            WindowAssigner<TimeWindow> assigner = sliding
                ? SlidingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(s.Size), TimeSpan.FromMilliseconds(s.Slide))
                : TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(s.Size));
            var probe = new WindowStateProbe();
            env.FromSource(source, "push").KeyBy(a => a.Key).Window(assigner).Trigger(new ObservedProcessingTimeTrigger<TimeWindow>(seen))
                .WithStateProbe(probe).Process(new ArrivalFiring<TimeWindow>()).Process(new WithTimestamp<Firing>()).SinkTo(sink);
            var client = env.ExecuteAsync("processing-time windows");

            var processed = new List<Arrival>();
            int assignments = 0;
            foreach (var step in s.Steps)
            {
                long now = clock.CurrentTimeMillis;
                var arrival = new Arrival(step.Key, now, step.Value);
                source.Push(0, arrival);
                assignments += WindowReference.FixedWindowsOf(now, s.Size, s.Slide, 0).Count();
                seen.WaitFor(assignments);
                processed.Add(arrival);
                clock.Advance(TimeSpan.FromMilliseconds(step.Advance * 10));
            }
            var expected = WindowReference.Sorted(WindowReference.GroupByWindow(processed, ts => WindowReference.FixedWindowsOf(ts, s.Size, s.Slide, 0)));
            clock.Advance(TimeSpan.FromMilliseconds(s.Size + s.Slide));
            var fired = sink.WaitUntil(r => r.Count >= expected.Count, $"{expected.Count} window results");
            source.EndAll();
            Assert.True(client.Completion.Wait(TimeSpan.FromSeconds(30)), "the job did not finish");

            Assert.Equal(expected, WindowReference.Sorted(sink.Records.Select(r => (r.Value, r.Timestamp))));
            AssertClean(probe, parallelism);
        }).Check(Checks(maxTest: 6));
    }
}

/// <summary>Reports the single reduced element of a window (reduce + process).</summary>
internal sealed class ReducedFiring<W> : ProcessWindowFunction<Ev, Firing, int, W>
    where W : IWindow
{
    public override void Process(int key, Context context, IEnumerable<Ev> elements, ICollector<Firing> output)
    {
        var single = Assert.Single(elements);
        output.Collect(new Firing(key, context.Window.MaxTimestamp, single.Value, single.Count));
    }
}
