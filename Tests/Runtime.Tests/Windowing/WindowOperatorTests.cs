using DataflowCompiler.Functions;
using DataflowCompiler.State;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>Operator behaviour beyond the properties: custom triggers with state, timers and merging; process
/// window function state and side outputs; evictors; WindowAll; builder validation.</summary>
public sealed class WindowOperatorTests
{
    /// <summary>
    /// Fires (without purging) once the values of a window add up to the threshold, and fires and purges when a
    /// processing-time timeout set by the window's first element expires. Per-window state: the running sum and
    /// the timeout. Merging adds the sums and keeps the earliest timeout.
    /// </summary>
    private sealed class SumOrTimeoutTrigger(long threshold, long timeout) : Trigger<Ev, TimeWindow>
    {
        private readonly ReducingStateDescriptor<long> _sum = new("sum", (a, b) => a + b);
        private readonly ReducingStateDescriptor<long> _deadline = new("deadline", Math.Min);

        public override TriggerResult OnElement(Ev element, long timestamp, TimeWindow window, TriggerContext context)
        {
            var deadline = context.GetPartitionedState(_deadline);
            if (!deadline.HasValue)
            {
                deadline.Add(context.CurrentProcessingTime + timeout);
                context.RegisterProcessingTimeTimer(deadline.Get());
            }
            var sum = context.GetPartitionedState(_sum);
            sum.Add(element.Value);
            if (sum.Get() >= threshold)
            {
                sum.Clear();
                return TriggerResult.Fire;
            }
            return TriggerResult.Continue;
        }

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context)
        {
            var deadline = context.GetPartitionedState(_deadline);
            if (!deadline.HasValue || deadline.Get() != time)
            {
                return TriggerResult.Continue;
            }
            deadline.Clear();
            context.GetPartitionedState(_sum).Clear();
            return TriggerResult.FireAndPurge;
        }

        public override bool CanMerge => true;

        public override void OnMerge(TimeWindow window, OnMergeContext context)
        {
            context.MergePartitionedState(_sum);
            context.MergePartitionedState(_deadline);
            var deadline = context.GetPartitionedState(_deadline);
            if (deadline.HasValue)
            {
                context.RegisterProcessingTimeTimer(deadline.Get());
            }
        }

        public override void Clear(TimeWindow window, TriggerContext context)
        {
            var deadline = context.GetPartitionedState(_deadline);
            if (deadline.HasValue)
            {
                context.DeleteProcessingTimeTimer(deadline.Get());
            }
            deadline.Clear();
            context.GetPartitionedState(_sum).Clear();
        }
    }

    private sealed class NonMergingTrigger : Trigger<Ev, TimeWindow>
    {
        public override TriggerResult OnElement(Ev element, long timestamp, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override void Clear(TimeWindow window, TriggerContext context)
        {
        }
    }

    [Fact]
    public void Custom_trigger_with_per_window_state_timers_and_merging_on_session_windows()
    {
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(EventTimeSessionWindows.WithGap(10))
            .Trigger(new SumOrTimeoutTrigger(threshold: 10, timeout: 100))
            .Process(new ElementsFiring<TimeWindow>());
        using var harness = new WindowHarness<Ev, Firing, TimeWindow>(op);
        harness.AdvanceProcessingTime(5);
        harness.ProcessElement(1, new Ev(1, 3, 1), 0);
        harness.AdvanceProcessingTime(20);
        harness.ProcessElement(1, new Ev(1, 4, 1), 20);
        Assert.Empty(harness.Output);
        Assert.True(harness.HasProcessingTimer(1, new TimeWindow(0, 10), 105));
        Assert.True(harness.HasProcessingTimer(1, new TimeWindow(20, 30), 120));

        // [10, 20) touches both sessions: all merge into [0, 30); the sums merge (3 + 4) and the new 5 reaches 10.
        harness.ProcessElement(1, new Ev(1, 5, 1), 10);
        Assert.Equal([(new Firing(1, 29, 12, 3), 29L)], harness.Output);
        // The merged window keeps the earliest timeout. The merged windows' own timers stay registered (their
        // state moved into the merged window before Clear, as in Flink) and are ignored when they fire.
        Assert.True(harness.HasProcessingTimer(1, new TimeWindow(0, 30), 105));

        harness.AdvanceProcessingTime(200);
        Assert.Equal(2, harness.Output.Count);
        Assert.Equal(new Firing(1, 29, 12, 3), harness.Output[1].Value);
        harness.ProcessElement(1, new Ev(1, 1, 1), 25);
        Assert.True(harness.HasProcessingTimer(1, new TimeWindow(0, 35), 300));
        harness.AdvanceProcessingTime(300);
        Assert.Equal(new Firing(1, 34, 1, 1), harness.Output[2].Value);

        harness.AdvanceWatermark(long.MaxValue);
        Assert.Equal(3, harness.Output.Count);
        Assert.Equal(0, harness.StateEntries);
        Assert.Equal(0, harness.PendingTimers);
    }

    [Fact]
    public void Count_trigger_counts_merge_with_sessions()
    {
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(EventTimeSessionWindows.WithGap(5))
            .Trigger(CountTrigger<Ev, TimeWindow>.Of(3))
            .Reduce(new SumReduce());
        using var harness = new WindowHarness<Ev, Ev, TimeWindow>(op);
        harness.ProcessElement(7, new Ev(7, 1, 1), 0);
        harness.ProcessElement(7, new Ev(7, 2, 1), 20);
        harness.ProcessElement(7, new Ev(7, 4, 1), 10);
        Assert.Empty(harness.Output);
        // [5, 10) touches [0, 5) and [10, 15): they merge into [0, 15), whose merged count reaches 3 and fires;
        // [20, 25) stays apart.
        harness.ProcessElement(7, new Ev(7, 8, 1), 5);
        Assert.Equal([(new Ev(7, 13, 3), 14L)], harness.Output);
        harness.AdvanceWatermark(long.MaxValue);
        Assert.Equal(0, harness.StateEntries);
        Assert.Equal(0, harness.PendingTimers);
    }

    [Fact]
    public void Continuous_event_time_trigger_merges_its_next_firing_with_sessions()
    {
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(EventTimeSessionWindows.WithGap(10))
            .Trigger(ContinuousEventTimeTrigger<Ev, TimeWindow>.Of(5))
            .Reduce(new SumReduce());
        using var harness = new WindowHarness<Ev, Ev, TimeWindow>(op);
        harness.ProcessElement(1, new Ev(1, 1, 1), 1);
        harness.ProcessElement(1, new Ev(1, 2, 1), 12);
        harness.AdvanceWatermark(4);
        // [8, 18) bridges [1, 11) and [12, 22); the merged window keeps the earliest next firing (5).
        harness.ProcessElement(1, new Ev(1, 4, 1), 8);
        Assert.True(harness.HasEventTimer(1, new TimeWindow(1, 22), 5));
        harness.AdvanceWatermark(5);
        Assert.Equal([(new Ev(1, 7, 3), 21L)], harness.Output);
        harness.AdvanceWatermark(long.MaxValue);
        // Firings at 5, 10, 15, 20 and at the end (21); stale timers of the merged-away windows are ignored.
        Assert.Equal(5, harness.Output.Count);
        Assert.All(harness.Output, o => Assert.Equal((new Ev(1, 7, 3), 21L), o));
        Assert.Equal(0, harness.StateEntries);
        Assert.Equal(0, harness.PendingTimers);
    }

    [Fact]
    public void A_merging_assigner_rejects_a_trigger_that_cannot_merge()
    {
        var builder = new WindowOperatorBuilder<Ev, int, TimeWindow>(EventTimeSessionWindows.WithGap(5), "sessions");
        var error = Assert.Throws<ArgumentException>(() => builder.Trigger(new NonMergingTrigger()));
        Assert.StartsWith("window operator 'sessions': the trigger NonMergingTrigger cannot merge windows, but EventTimeSessionWindows(5) merges them.", error.Message);
    }

    [Fact]
    public void Allowed_lateness_must_be_non_negative_and_event_time()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(
            () => new WindowOperatorBuilder<Ev, int, TimeWindow>(TumblingEventTimeWindows.Of(5), "w").AllowedLateness(-1));
        Assert.StartsWith("window operator 'w': the allowed lateness must not be negative.", negative.Message);
        var processing = Assert.Throws<ArgumentException>(
            () => new WindowOperatorBuilder<Ev, int, TimeWindow>(TumblingProcessingTimeWindows.Of(5), "w").AllowedLateness(3));
        Assert.StartsWith("window operator 'w': allowed lateness applies to event-time windows only", processing.Message);
    }

    /// <summary>Counts its firings per window (window state) and per key (global state), and audits to a side output.</summary>
    private sealed class CountingFunction : ProcessWindowFunction<Ev, string, int, TimeWindow>
    {
        public static readonly OutputTag<string> Audit = new("audit");
        private readonly ValueStateDescriptor<int> _firings = new("firings");
        private readonly ValueStateDescriptor<long> _total = new("total");

        public List<TimeWindow> Cleared { get; } = [];

        public override void Process(int key, Context context, IEnumerable<Ev> elements, ICollector<string> output)
        {
            var firings = context.WindowState.GetValueState(_firings);
            firings.Update(firings.Value() + 1);
            var total = context.GlobalState.GetValueState(_total);
            total.Update(total.Value() + 1);
            output.Collect($"{context.Window} #{firings.Value()} of {total.Value()}: {elements.Sum(e => e.Value)}");
            context.Output(Audit, $"wm {context.CurrentWatermark}");
        }

        public override void Clear(Context context)
        {
            Cleared.Add(context.Window);
            context.WindowState.GetValueState(_firings).Clear();
        }
    }

    [Fact]
    public void Process_window_function_has_per_window_and_global_state_and_side_outputs_and_re_fires_late_data()
    {
        var late = new OutputTag<Ev>("late");
        var function = new CountingFunction();
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(TumblingEventTimeWindows.Of(10))
            .AllowedLateness(5)
            .SideOutputLateData(late)
            .Process(function);
        using var harness = new WindowHarness<Ev, string, TimeWindow>(op);
        harness.ProcessElement(3, new Ev(3, 1, 1), 1);
        harness.AdvanceWatermark(9);
        harness.ProcessElement(3, new Ev(3, 10, 1), 2);
        harness.AdvanceWatermark(14);
        harness.ProcessElement(3, new Ev(3, 100, 1), 12);
        harness.ProcessElement(3, new Ev(3, 1000, 1), 4);
        harness.AdvanceWatermark(long.MaxValue);

        Assert.Equal(
            [("TimeWindow[0, 10) #1 of 1: 1", 9L), ("TimeWindow[0, 10) #2 of 2: 11", 9L), ("TimeWindow[10, 20) #1 of 3: 100", 19L)],
            harness.Output);
        Assert.Equal(
            [("audit", (object?)"wm 9", 9L), ("audit", "wm 9", 9L), ("late", new Ev(3, 1000, 1), 4L), ("audit", "wm 9223372036854775807", 19L)],
            harness.SideOutput);
        Assert.Equal([new TimeWindow(0, 10), new TimeWindow(10, 20)], function.Cleared);
        // Only the key's global state remains: the function cleared its window state, the operator the rest.
        Assert.Equal(1, harness.StateEntries);
        Assert.Equal(0, harness.PendingTimers);
        Assert.Equal([op], [harness.Operator]);
        Assert.Equal([function], op.UserFunctions);
    }

    [Fact]
    public void Evicting_windows_apply_the_function_to_what_the_evictor_leaves()
    {
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(TumblingEventTimeWindows.Of(100))
            .Evictor(TimeEvictor<Ev, TimeWindow>.Of(30))
            .Aggregate(new SumCountAggregate(), new AggregateFiring<TimeWindow>());
        Assert.IsType<WindowOperator<int, Ev, IEnumerable<Ev>, Firing, TimeWindow>>(op);
        using var harness = new WindowHarness<Ev, Firing, TimeWindow>(op);
        harness.ProcessElement(1, new Ev(1, 1, 1), 10);
        harness.ProcessElement(1, new Ev(1, 2, 1), 90);
        harness.ProcessElement(1, new Ev(1, 4, 1), 50);
        harness.AdvanceWatermark(long.MaxValue);
        // max 90, cutoff 60: only the element at 90 is left.
        Assert.Equal([(new Firing(1, 99, 2, 1), 99L)], harness.Output);
        Assert.Equal(0, harness.StateEntries);
    }

    [Fact]
    public void Evict_after_lets_the_function_see_everything_then_keeps_the_last_n()
    {
        var op = new WindowOperatorBuilder<Ev, int, GlobalWindow>(GlobalWindows.Create())
            .Trigger(CountTrigger<Ev, GlobalWindow>.Of(2))
            .Evictor(CountEvictor<Ev, GlobalWindow>.Of(1, doEvictAfter: true))
            .Reduce(new SumReduce());
        using var harness = new WindowHarness<Ev, Ev, GlobalWindow>(op);
        for (int i = 1; i <= 4; i++)
        {
            harness.ProcessElement(1, new Ev(1, i, 1), i);
        }
        // Fire at 2 over {1, 2}, keep {2}; fire at 4 over {2, 3, 4}, keep {4}.
        Assert.Equal([(new Ev(1, 3, 2), long.MaxValue), (new Ev(1, 9, 3), long.MaxValue)], harness.Output);
        Assert.True(harness.StateEntries > 0);
        harness.AdvanceWatermark(long.MaxValue);
        Assert.Equal(0, harness.StateEntries);
        Assert.Equal(0, harness.PendingTimers);
    }

    [Fact]
    public void WindowAll_is_the_same_operator_with_a_constant_key()
    {
        const int AllKey = 0;
        var op = new WindowOperatorBuilder<Ev, int, TimeWindow>(SlidingEventTimeWindows.Of(10, 5)).Reduce(WindowTestFunctions.Sum);
        Assert.IsType<SlicingWindowOperator<int, Ev, Ev, Ev>>(op);
        using var harness = new WindowHarness<Ev, Ev, TimeWindow>(op);
        foreach (var (key, ts) in new[] { (1, 3L), (2, 4L), (3, 7L), (1, 12L) })
        {
            harness.ProcessElement(AllKey, new Ev(key, ts, 1), ts);
        }
        harness.AdvanceWatermark(long.MaxValue);
        Assert.Equal(
            [(new Ev(1, 7, 2), 4L), (new Ev(1, 14, 3), 9L), (new Ev(3, 19, 2), 14L), (new Ev(1, 12, 1), 19L)],
            harness.Output);
        Assert.Equal(0, harness.StateEntries);
    }

    [Fact]
    public void Slicing_keeps_one_accumulator_per_slice_not_per_window()
    {
        // size 60, slide 1: every element belongs to 60 windows. Slicing writes one slice entry per distinct
        // timestamp; the generic path writes one entry per window.
        var sliced = new WindowOperatorBuilder<Ev, int, TimeWindow>(SlidingEventTimeWindows.Of(60, 1)).Reduce(new SumReduce());
        var generic = new WindowOperatorBuilder<Ev, int, TimeWindow>(SlidingEventTimeWindows.Of(60, 1)).DisableSlicing().Reduce(new SumReduce());
        using var slicedHarness = new WindowHarness<Ev, Ev, TimeWindow>(sliced);
        using var genericHarness = new WindowHarness<Ev, Ev, TimeWindow>(generic);
        for (long ts = 0; ts < 10; ts++)
        {
            slicedHarness.ProcessElement(1, new Ev(1, ts, 1), ts);
            genericHarness.ProcessElement(1, new Ev(1, ts, 1), ts);
        }
        Assert.Equal(10, slicedHarness.StateEntries);
        Assert.Equal(69, genericHarness.StateEntries);
        slicedHarness.AdvanceWatermark(long.MaxValue);
        genericHarness.AdvanceWatermark(long.MaxValue);
        Assert.Equal(genericHarness.Output, slicedHarness.Output);
        Assert.Equal(69, slicedHarness.Output.Count);
        Assert.Equal(0, slicedHarness.StateEntries);
    }
}
