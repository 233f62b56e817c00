using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Windowing;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Windowing;

public sealed class TimeWindowTests
{
    [Theory]
    [InlineData(0, 0, 10, 0)]
    [InlineData(9, 0, 10, 0)]
    [InlineData(10, 0, 10, 10)]
    [InlineData(-1, 0, 10, -10)]
    [InlineData(-10, 0, 10, -10)]
    [InlineData(-11, 0, 10, -20)]
    [InlineData(2, 3, 10, -7)]
    [InlineData(3, 3, 10, 3)]
    [InlineData(-8, -3, 10, -13)]
    [InlineData(-3, -3, 10, -3)]
    [InlineData(long.MaxValue - 5, 0, 10, long.MaxValue - 7)]
    public void Window_start_with_offset_matches_Flink_including_negative_timestamps_and_offsets(long ts, long offset, long size, long expected) =>
        Assert.Equal(expected, TimeWindow.GetWindowStartWithOffset(ts, offset, size));

    [Fact]
    public void Window_start_contains_the_timestamp_and_is_aligned_for_any_timestamp_and_offset()
    {
        Prop.ForAll(
            (from ts in Gen.Choose(-100_000, 100_000)
             from size in Gen.Choose(1, 500)
             from offset in Gen.Choose(-(size - 1), size - 1)
             select (Ts: (long)ts, Size: (long)size, Offset: (long)offset)).ToArbitrary(),
            c =>
            {
                long start = TimeWindow.GetWindowStartWithOffset(c.Ts, c.Offset, c.Size);
                return start <= c.Ts && c.Ts < start + c.Size && ((start - c.Offset) % c.Size) == 0;
            }).Check(Config.QuickThrowOnFailure);
    }

    [Fact]
    public void Bounds_max_timestamp_and_equality()
    {
        var w = new TimeWindow(-5, 5);
        Assert.Equal(-5, w.Start);
        Assert.Equal(5, w.End);
        Assert.Equal(4, w.MaxTimestamp);
        Assert.Equal(new TimeWindow(-5, 5), w);
        Assert.NotEqual(new TimeWindow(-5, 6), w);
        Assert.True(new TimeWindow(0, 1).CompareTo(new TimeWindow(0, 2)) < 0);
        Assert.True(new TimeWindow(1, 2).CompareTo(new TimeWindow(0, 9)) > 0);
        var error = Assert.Throws<ArgumentException>(() => new TimeWindow(5, 4));
        Assert.Contains("end (4) must not be before its start (5)", error.Message);
    }

    [Fact]
    public void Intersects_includes_touching_windows_and_cover_spans_both()
    {
        Assert.True(new TimeWindow(0, 10).Intersects(new TimeWindow(10, 20)));
        Assert.True(new TimeWindow(10, 20).Intersects(new TimeWindow(0, 10)));
        Assert.True(new TimeWindow(0, 10).Intersects(new TimeWindow(3, 4)));
        Assert.False(new TimeWindow(0, 10).Intersects(new TimeWindow(11, 20)));
        Assert.False(new TimeWindow(-20, -11).Intersects(new TimeWindow(-10, 0)));
        Assert.Equal(new TimeWindow(-20, 7), new TimeWindow(-20, -11).Cover(new TimeWindow(3, 7)));
    }

    [Fact]
    public void Merge_windows_reports_each_overlapping_group_once()
    {
        var merges = new List<(List<TimeWindow> Merged, TimeWindow Result)>();
        TimeWindow.MergeWindows(
            [new TimeWindow(20, 25), new TimeWindow(0, 5), new TimeWindow(4, 8), new TimeWindow(30, 31), new TimeWindow(8, 9), new TimeWindow(24, 26)],
            (merged, result) => merges.Add((merged.ToList(), result)));
        Assert.Equal(2, merges.Count);
        Assert.Equal(new TimeWindow(0, 9), merges[0].Result);
        Assert.Equal([new TimeWindow(0, 5), new TimeWindow(4, 8), new TimeWindow(8, 9)], merges[0].Merged);
        Assert.Equal(new TimeWindow(20, 26), merges[1].Result);
        Assert.Equal([new TimeWindow(20, 25), new TimeWindow(24, 26)], merges[1].Merged);
    }

    [Fact]
    public void Serializers_round_trip_and_the_global_window_never_writes_the_empty_namespace()
    {
        var output = new DataOutputSerializer();
        TimeWindowSerializer.Instance.Serialize(new TimeWindow(-7, long.MaxValue), output);
        Assert.Equal(16, output.Length);
        var input = new DataInputView(output.WrittenSpan);
        Assert.Equal(new TimeWindow(-7, long.MaxValue), TimeWindowSerializer.Instance.Deserialize(ref input));

        output.Clear();
        GlobalWindowSerializer.Instance.Serialize(GlobalWindow.Instance, output);
        Assert.Equal(1, output.Length);
        var global = new DataInputView(output.WrittenSpan);
        Assert.Equal(GlobalWindow.Instance, GlobalWindowSerializer.Instance.Deserialize(ref global));
        Assert.Equal(long.MaxValue, GlobalWindow.Instance.MaxTimestamp);
    }
}
