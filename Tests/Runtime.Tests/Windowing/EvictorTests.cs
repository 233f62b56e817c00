using DataflowCompiler.Windowing;

namespace DataflowCompiler.Runtime.Tests.Windowing;

public sealed class EvictorTests
{
    private sealed class NoTime : EvictorContext
    {
        public override long CurrentProcessingTime => 0;

        public override long CurrentWatermark => long.MinValue;
    }

    private static List<TimestampedValue<int>> Elements(params long[] timestamps) =>
        timestamps.Select((ts, i) => new TimestampedValue<int>(i, ts)).ToList();

    [Fact]
    public void Count_evictor_keeps_the_last_n_before_or_after()
    {
        var before = CountEvictor<int, GlobalWindow>.Of(2);
        var list = Elements(1, 2, 3, 4);
        before.EvictAfter(list, 4, GlobalWindow.Instance, new NoTime());
        Assert.Equal(4, list.Count);
        before.EvictBefore(list, 4, GlobalWindow.Instance, new NoTime());
        Assert.Equal([2, 3], list.Select(e => e.Value));

        var after = CountEvictor<int, GlobalWindow>.Of(3, doEvictAfter: true);
        list = Elements(1, 2, 3, 4, 5);
        after.EvictBefore(list, 5, GlobalWindow.Instance, new NoTime());
        Assert.Equal(5, list.Count);
        after.EvictAfter(list, 5, GlobalWindow.Instance, new NoTime());
        Assert.Equal([2, 3, 4], list.Select(e => e.Value));

        list = Elements(1);
        before.EvictBefore(list, 1, GlobalWindow.Instance, new NoTime());
        Assert.Single(list);
    }

    [Fact]
    public void Time_evictor_keeps_elements_newer_than_max_minus_size_in_any_order()
    {
        var evictor = TimeEvictor<int, TimeWindow>.Of(10);
        var list = Elements(25, 5, 15, 16, -3, 30);
        evictor.EvictBefore(list, list.Count, new TimeWindow(-10, 40), new NoTime());
        // max 30, cutoff 20: 25 and 30 stay.
        Assert.Equal([0, 5], list.Select(e => e.Value));

        var after = TimeEvictor<int, TimeWindow>.Of(TimeSpan.FromMilliseconds(10), doEvictAfter: true);
        list = Elements(-25, -14, -15);
        after.EvictBefore(list, 3, new TimeWindow(-30, 0), new NoTime());
        Assert.Equal(3, list.Count);
        after.EvictAfter(list, 3, new TimeWindow(-30, 0), new NoTime());
        Assert.Equal([1, 2], list.Select(e => e.Value));
    }

    [Fact]
    public void Time_evictor_leaves_elements_without_timestamps_alone()
    {
        var list = Elements(long.MinValue, long.MinValue);
        TimeEvictor<int, GlobalWindow>.Of(1).EvictBefore(list, 2, GlobalWindow.Instance, new NoTime());
        Assert.Equal(2, list.Count);
        Assert.False(list[0].HasTimestamp);
    }
}
