using DataflowCompiler.Windowing;

namespace DataflowCompiler.Runtime.Tests.Windowing;

public sealed class WindowAssignerTests
{
    private sealed class Clock(long now) : WindowAssignerContext
    {
        public override long CurrentProcessingTime => now;
    }

    private static List<W> Assign<W>(WindowAssigner<W> assigner, long timestamp, long now = 0, string element = "e")
        where W : IWindow
    {
        var windows = new List<W>();
        assigner.AssignWindows(element, timestamp, new Clock(now), windows);
        return windows;
    }

    [Fact]
    public void Tumbling_event_time_windows_with_offset_and_negative_timestamps()
    {
        Assert.Equal([new TimeWindow(0, 10)], Assign(TumblingEventTimeWindows.Of(10), 9));
        Assert.Equal([new TimeWindow(-10, 0)], Assign(TumblingEventTimeWindows.Of(10), -1));
        Assert.Equal([new TimeWindow(-7, 3)], Assign(TumblingEventTimeWindows.Of(10, 3), 2));
        Assert.Equal([new TimeWindow(-13, -3)], Assign(TumblingEventTimeWindows.Of(10, -3), -4));
        Assert.Equal([new TimeWindow(0, 60_000)], Assign(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)), 59_999));
        Assert.True(TumblingEventTimeWindows.Of(10).IsEventTime);
        Assert.IsType<EventTimeTrigger<string, TimeWindow>>(TumblingEventTimeWindows.Of(10).GetDefaultTrigger<string>());
    }

    [Fact]
    public void Sliding_event_time_windows_list_every_window_that_contains_the_timestamp()
    {
        Assert.Equal(
            [new TimeWindow(5, 15), new TimeWindow(0, 10)],
            Assign(SlidingEventTimeWindows.Of(10, 5), 7));
        Assert.Equal(
            [new TimeWindow(-2, 8), new TimeWindow(-5, 5), new TimeWindow(-8, 2)],
            Assign(SlidingEventTimeWindows.Of(10, 3, 1), -1));
        // slide > size leaves gaps: an element in a gap belongs to no window.
        Assert.Empty(Assign(SlidingEventTimeWindows.Of(2, 5), 3));
        Assert.Equal([new TimeWindow(5, 7)], Assign(SlidingEventTimeWindows.Of(2, 5), 6));
    }

    [Fact]
    public void Processing_time_assigners_use_the_clock_not_the_timestamp()
    {
        Assert.Equal([new TimeWindow(100, 110)], Assign(TumblingProcessingTimeWindows.Of(10), timestamp: 3, now: 105));
        Assert.Equal([new TimeWindow(105, 115), new TimeWindow(100, 110)], Assign(SlidingProcessingTimeWindows.Of(10, 5), timestamp: 3, now: 107));
        Assert.Equal([new TimeWindow(107, 117)], Assign(ProcessingTimeSessionWindows.WithGap(10), timestamp: 3, now: 107));
        Assert.False(TumblingProcessingTimeWindows.Of(10).IsEventTime);
        Assert.IsType<ProcessingTimeTrigger<string, TimeWindow>>(SlidingProcessingTimeWindows.Of(10, 5).GetDefaultTrigger<string>());
    }

    [Fact]
    public void Session_windows_open_a_gap_long_window_per_element()
    {
        Assert.Equal([new TimeWindow(-3, 2)], Assign(EventTimeSessionWindows.WithGap(5), -3));
        var dynamic = EventTimeSessionWindows.WithDynamicGap<string>(s => s.Length);
        Assert.Equal([new TimeWindow(10, 15)], Assign(dynamic, 10, element: "hello"));
        var wrongType = new List<TimeWindow>();
        var typeError = Assert.Throws<InvalidOperationException>(() => dynamic.AssignWindows(42, 10, new Clock(0), wrongType));
        Assert.Contains("takes 'String' elements but the stream holds 'Int32'", typeError.Message);
        var gapError = Assert.Throws<InvalidOperationException>(() => Assign(dynamic, 10, element: ""));
        Assert.Contains("Dynamic session gap must be positive (> 0), but the extractor returned 0", gapError.Message);
        Assert.Equal([new TimeWindow(50, 53)], Assign(ProcessingTimeSessionWindows.WithDynamicGap<string>(s => s.Length), 10, now: 50, element: "abc"));
    }

    [Fact]
    public void Global_windows_hold_everything_and_never_fire_by_default()
    {
        Assert.Equal([GlobalWindow.Instance], Assign(GlobalWindows.Create(), 5));
        Assert.IsType<NeverTrigger<string, GlobalWindow>>(GlobalWindows.Create().GetDefaultTrigger<string>());
        Assert.False(GlobalWindows.Create().IsEventTime);
    }

    [Fact]
    public void Event_time_assigners_reject_records_without_timestamp()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Assign(TumblingEventTimeWindows.Of(10), long.MinValue));
        Assert.Contains("TumblingEventTimeWindows: the record has no timestamp", error.Message);
        Assert.Throws<InvalidOperationException>(() => Assign(SlidingEventTimeWindows.Of(10, 5), long.MinValue));
        Assert.Throws<InvalidOperationException>(() => Assign(EventTimeSessionWindows.WithGap(10), long.MinValue));
    }

    [Theory]
    [InlineData(0, 0, "TumblingEventTimeWindows: the size must be positive (> 0), but it is 0.")]
    [InlineData(-5, 0, "TumblingEventTimeWindows: the size must be positive (> 0), but it is -5.")]
    [InlineData(10, 10, "TumblingEventTimeWindows: the offset must satisfy |offset| < size, but offset is 10 and size is 10.")]
    [InlineData(10, -10, "TumblingEventTimeWindows: the offset must satisfy |offset| < size, but offset is -10 and size is 10.")]
    public void Tumbling_arguments_are_validated_with_clear_messages(long size, long offset, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => TumblingEventTimeWindows.Of(size, offset));
        Assert.StartsWith(message, error.Message);
        var processing = Assert.ThrowsAny<ArgumentException>(() => TumblingProcessingTimeWindows.Of(size, offset));
        Assert.StartsWith(message.Replace("EventTime", "ProcessingTime"), processing.Message);
    }

    [Theory]
    [InlineData(0, 5, 0, "SlidingEventTimeWindows: the size must be positive (> 0), but it is 0.")]
    [InlineData(10, 0, 0, "SlidingEventTimeWindows: the slide must be positive (> 0), but it is 0.")]
    [InlineData(10, -1, 0, "SlidingEventTimeWindows: the slide must be positive (> 0), but it is -1.")]
    [InlineData(10, 5, 5, "SlidingEventTimeWindows: the offset must satisfy |offset| < slide, but offset is 5 and slide is 5.")]
    [InlineData(10, 5, -7, "SlidingEventTimeWindows: the offset must satisfy |offset| < slide, but offset is -7 and slide is 5.")]
    public void Sliding_arguments_are_validated_with_clear_messages(long size, long slide, long offset, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => SlidingEventTimeWindows.Of(size, slide, offset));
        Assert.StartsWith(message, error.Message);
        var processing = Assert.ThrowsAny<ArgumentException>(() => SlidingProcessingTimeWindows.Of(size, slide, offset));
        Assert.StartsWith(message.Replace("EventTime", "ProcessingTime"), processing.Message);
    }

    [Fact]
    public void Gaps_counts_intervals_and_evictor_sizes_must_be_positive()
    {
        Assert.StartsWith("EventTimeSessionWindows: the gap must be positive (> 0), but it is 0.",
            Assert.ThrowsAny<ArgumentException>(() => EventTimeSessionWindows.WithGap(0)).Message);
        Assert.StartsWith("ProcessingTimeSessionWindows: the gap must be positive (> 0), but it is -1.",
            Assert.ThrowsAny<ArgumentException>(() => ProcessingTimeSessionWindows.WithGap(-1)).Message);
        Assert.StartsWith("CountTrigger: the count must be positive (> 0), but it is 0.",
            Assert.ThrowsAny<ArgumentException>(() => CountTrigger<string, GlobalWindow>.Of(0)).Message);
        Assert.StartsWith("ContinuousEventTimeTrigger: the interval must be positive (> 0), but it is 0.",
            Assert.ThrowsAny<ArgumentException>(() => ContinuousEventTimeTrigger<string, TimeWindow>.Of(0)).Message);
        Assert.StartsWith("ContinuousProcessingTimeTrigger: the interval must be positive (> 0), but it is -2.",
            Assert.ThrowsAny<ArgumentException>(() => ContinuousProcessingTimeTrigger<string, TimeWindow>.Of(-2)).Message);
        Assert.StartsWith("CountEvictor: the count must be positive (> 0), but it is 0.",
            Assert.ThrowsAny<ArgumentException>(() => CountEvictor<string, GlobalWindow>.Of(0)).Message);
        Assert.StartsWith("TimeEvictor: the window size must be positive (> 0), but it is 0.",
            Assert.ThrowsAny<ArgumentException>(() => TimeEvictor<string, GlobalWindow>.Of(0)).Message);
        Assert.Throws<ArgumentNullException>(() => PurgingTrigger<string, GlobalWindow>.Of(null!));
    }
}
