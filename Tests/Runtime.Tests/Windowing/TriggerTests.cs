using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>Each built-in trigger driven directly through the operator's trigger context over a real backend.</summary>
public sealed class TriggerTests : IDisposable
{
    private static readonly TimeWindow W = new(0, 10);
    private static readonly TimeWindow Other = new(10, 20);
    private readonly WindowHarness<Ev, Ev, TimeWindow> _harness = new();
    private readonly WindowTriggerContext<int, TimeWindow> _context;

    public TriggerTests()
    {
        _harness.KeyedStateBackend.SetCurrentKey(1);
        _context = new WindowTriggerContext<int, TimeWindow>(_harness, TimeWindowSerializer.Instance) { Window = W };
    }

    public void Dispose() => _harness.Dispose();

    private static readonly Ev E = new(1, 1, 1);

    [Fact]
    public void Event_time_trigger_fires_at_the_window_end_and_at_once_for_late_elements()
    {
        var trigger = EventTimeTrigger<Ev, TimeWindow>.Create();
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 3, W, _context));
        Assert.True(_harness.HasEventTimer(1, W, 9));
        Assert.Equal(TriggerResult.Continue, trigger.OnEventTime(8, W, _context));
        Assert.Equal(TriggerResult.Fire, trigger.OnEventTime(9, W, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnProcessingTime(9, W, _context));
        _harness.SetTime(watermark: 9, processingTime: 0);
        Assert.Equal(TriggerResult.Fire, trigger.OnElement(E, 3, W, _context));
        trigger.Clear(W, _context);
        Assert.Equal(0, _harness.PendingTimers);
        Assert.True(trigger.CanMerge);
    }

    [Fact]
    public void Event_time_trigger_registers_the_merged_window_end_only_while_it_is_ahead_of_the_watermark()
    {
        var trigger = EventTimeTrigger<Ev, TimeWindow>.Create();
        _context.Window = new TimeWindow(0, 20);
        trigger.OnMerge(new TimeWindow(0, 20), _context);
        Assert.True(_harness.HasEventTimer(1, new TimeWindow(0, 20), 19));
        _harness.SetTime(watermark: 30, processingTime: 0);
        _context.Window = new TimeWindow(0, 25);
        trigger.OnMerge(new TimeWindow(0, 25), _context);
        Assert.False(_harness.HasEventTimer(1, new TimeWindow(0, 25), 24));
    }

    [Fact]
    public void Processing_time_trigger_fires_on_its_timer()
    {
        var trigger = ProcessingTimeTrigger<Ev, TimeWindow>.Create();
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 3, W, _context));
        Assert.True(_harness.HasProcessingTimer(1, W, 9));
        Assert.Equal(TriggerResult.Fire, trigger.OnProcessingTime(9, W, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnEventTime(9, W, _context));
        trigger.Clear(W, _context);
        Assert.Equal(0, _harness.PendingTimers);
    }

    [Fact]
    public void Count_trigger_fires_every_n_elements_per_window_and_merges_counts()
    {
        var trigger = CountTrigger<Ev, TimeWindow>.Of(3);
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 1, W, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 1, W, _context));
        _context.Window = Other;
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 11, Other, _context));
        _context.Window = W;
        Assert.Equal(TriggerResult.Fire, trigger.OnElement(E, 1, W, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 1, W, _context));

        // W has 1, Other has 1: merged into [0, 20) they count 2, and the third element fires.
        var merged = new TimeWindow(0, 20);
        _context.Window = merged;
        _context.MergedWindows = [W, Other];
        trigger.OnMerge(merged, _context);
        _context.MergedWindows = [];
        Assert.Equal(TriggerResult.Fire, trigger.OnElement(E, 5, merged, _context));
        trigger.Clear(merged, _context);
        Assert.Equal(0, _harness.StateEntries);
    }

    [Fact]
    public void Continuous_event_time_trigger_fires_every_interval_aligned_to_multiples_and_at_the_end()
    {
        var window = new TimeWindow(-20, 10);
        _context.Window = window;
        var trigger = ContinuousEventTimeTrigger<Ev, TimeWindow>.Of(7);
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, -13, window, _context));
        // -13 lies in [-14, -7): the first firing is at -7.
        Assert.True(_harness.HasEventTimer(1, window, -7));
        Assert.True(_harness.HasEventTimer(1, window, 9));
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, -10, window, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnEventTime(-8, window, _context));
        Assert.Equal(TriggerResult.Fire, trigger.OnEventTime(-7, window, _context));
        Assert.True(_harness.HasEventTimer(1, window, 0));
        Assert.Equal(TriggerResult.Fire, trigger.OnEventTime(0, window, _context));
        // The next interval would pass the end: it is capped at the window's max timestamp.
        Assert.True(_harness.HasEventTimer(1, window, 7));
        Assert.Equal(TriggerResult.Fire, trigger.OnEventTime(7, window, _context));
        Assert.Equal(TriggerResult.Fire, trigger.OnEventTime(9, window, _context));
        trigger.Clear(window, _context);
        Assert.Equal(0, _harness.StateEntries);
        // The pending fire time (capped at 9) is deleted; -7, 0 and 7 were fired by hand above, not by a timer queue.
        Assert.False(_harness.HasEventTimer(1, window, 9));
        Assert.Equal(3, _harness.PendingEventTimers);
    }

    [Fact]
    public void Continuous_processing_time_trigger_fires_every_interval_of_the_clock()
    {
        _harness.SetTime(long.MinValue, processingTime: 103);
        var trigger = ContinuousProcessingTimeTrigger<Ev, TimeWindow>.Of(5);
        var window = new TimeWindow(100, 120);
        _context.Window = window;
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 0, window, _context));
        Assert.True(_harness.HasProcessingTimer(1, window, 105));
        Assert.Equal(TriggerResult.Continue, trigger.OnProcessingTime(104, window, _context));
        Assert.Equal(TriggerResult.Fire, trigger.OnProcessingTime(105, window, _context));
        Assert.True(_harness.HasProcessingTimer(1, window, 110));
        trigger.Clear(window, _context);
        Assert.False(_harness.HasProcessingTimer(1, window, 110));
        Assert.Equal(0, _harness.StateEntries);
    }

    [Fact]
    public void Purging_trigger_turns_fire_into_fire_and_purge()
    {
        var trigger = PurgingTrigger<Ev, TimeWindow>.Of(CountTrigger<Ev, TimeWindow>.Of(2));
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 1, W, _context));
        Assert.Equal(TriggerResult.FireAndPurge, trigger.OnElement(E, 1, W, _context));
        Assert.True(trigger.CanMerge);
        var eventTime = PurgingTrigger<Ev, TimeWindow>.Of(EventTimeTrigger<Ev, TimeWindow>.Create());
        Assert.Equal(TriggerResult.FireAndPurge, eventTime.OnEventTime(9, W, _context));
        Assert.Equal(TriggerResult.Continue, eventTime.OnEventTime(8, W, _context));
        Assert.Equal("PurgingTrigger(CountTrigger(2))", trigger.ToString());
    }

    [Fact]
    public void Never_trigger_never_fires()
    {
        var trigger = NeverTrigger<Ev, TimeWindow>.Create();
        Assert.Equal(TriggerResult.Continue, trigger.OnElement(E, 1, W, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnEventTime(9, W, _context));
        Assert.Equal(TriggerResult.Continue, trigger.OnProcessingTime(9, W, _context));
        Assert.Equal(0, _harness.PendingTimers);
    }

    [Theory]
    [InlineData(TriggerResult.Continue, false, false)]
    [InlineData(TriggerResult.Fire, true, false)]
    [InlineData(TriggerResult.Purge, false, true)]
    [InlineData(TriggerResult.FireAndPurge, true, true)]
    public void Trigger_results_say_whether_they_fire_and_purge(TriggerResult result, bool fire, bool purge)
    {
        Assert.Equal(fire, result.IsFire());
        Assert.Equal(purge, result.IsPurge());
    }
}
