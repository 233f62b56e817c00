using DataflowCompiler.Time;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Time;

public sealed class StatusWatermarkValveTests
{
    private static Watermark W(long ts) => new(ts);

    [Fact]
    public void Output_is_the_minimum_over_channels_once_every_channel_has_a_watermark()
    {
        var output = new EventRecorder();
        var valve = new StatusWatermarkValve(3, output);
        valve.InputWatermark(W(10), 0);
        valve.InputWatermark(W(5), 1);
        Assert.Empty(output.Events); // channel 2 has nothing yet
        valve.InputWatermark(W(7), 2);
        valve.InputWatermark(W(20), 1);
        valve.InputWatermark(W(30), 0);
        valve.InputWatermark(W(25), 2);
        Assert.Equal(new long[] { 5, 7, 20 }, output.Watermarks);
    }

    [Fact]
    public void An_idle_channel_does_not_hold_back_the_minimum_and_all_idle_makes_the_output_idle_then_resume()
    {
        var output = new EventRecorder();
        var valve = new StatusWatermarkValve(2, output);
        valve.InputWatermark(W(100), 0);
        valve.InputWatermark(W(10), 1);
        valve.InputWatermarkStatus(WatermarkStatus.Idle, 1);      // the slow channel goes idle: 100
        valve.InputWatermark(W(150), 0);
        valve.InputWatermark(W(12), 1);                           // ignored: channel 1 is idle
        valve.InputWatermarkStatus(WatermarkStatus.Idle, 0);      // all idle: idle downstream
        Assert.True(valve.IsIdle);
        valve.InputWatermarkStatus(WatermarkStatus.Active, 1);    // resumes, behind the output: not aligned yet
        valve.InputWatermark(W(120), 1);                          // still behind 150: cannot pull the output back
        valve.InputWatermark(W(200), 1);                          // caught up: counts again
        valve.InputWatermarkStatus(WatermarkStatus.Active, 0);
        valve.InputWatermark(W(300), 1);                          // channel 0 is at 150 again (its last watermark)
        valve.InputWatermark(W(400), 0);
        Assert.Equal(
            ["Watermark(10)", "Watermark(100)", "Watermark(150)", "WatermarkStatus(IDLE)", "WatermarkStatus(ACTIVE)", "Watermark(200)", "Watermark(300)"],
            output.Events.Select(e => e.ToString()));
    }

    [Fact]
    public void When_the_last_channel_goes_idle_the_largest_channel_watermark_is_output_first()
    {
        var output = new EventRecorder();
        var valve = new StatusWatermarkValve(2, output);
        valve.InputWatermark(W(50), 0);
        valve.InputWatermark(W(80), 1);
        valve.InputWatermarkStatus(WatermarkStatus.Idle, 1);
        valve.InputWatermarkStatus(WatermarkStatus.Idle, 0);
        Assert.Equal(["Watermark(50)", "Watermark(80)", "WatermarkStatus(IDLE)"], output.Events.Select(e => e.ToString()));
    }

    [Fact]
    public void Output_never_goes_backwards_and_equals_the_minimum_of_channel_maxima_without_idleness()
    {
        var events = Gen.Zip(Gen.Choose(1, 4), Gen.ListOf(Gen.Zip(Gen.Choose(0, 3), Gen.Choose(0, 1000)))).ToArbitrary();
        TimeProperties.Check(events, input =>
        {
            var (channels, list) = input;
            var output = new EventRecorder();
            var valve = new StatusWatermarkValve(channels, output);
            var max = Enumerable.Repeat(long.MinValue, channels).ToArray();
            foreach (var (c, ts) in list)
            {
                int channel = c % channels;
                valve.InputWatermark(W(ts), channel);
                max[channel] = Math.Max(max[channel], ts);
                Assert.Equal(max.Min(), valve.LastOutputWatermark);
            }
            var watermarks = output.Watermarks.ToList();
            Assert.Equal(watermarks.Order().Distinct(), watermarks);
        });
    }

    [Fact]
    public void Output_never_goes_backwards_with_random_idleness_and_is_never_above_the_largest_channel_watermark()
    {
        // -1 = idle, -2 = active, otherwise a watermark.
        var events = Gen.Zip(Gen.Choose(1, 4), Gen.ListOf(Gen.Zip(Gen.Choose(0, 3), Gen.Choose(-2, 500)))).ToArbitrary();
        TimeProperties.Check(events, input =>
        {
            var (channels, list) = input;
            var output = new EventRecorder();
            var valve = new StatusWatermarkValve(channels, output);
            long largest = long.MinValue;
            foreach (var (c, value) in list)
            {
                int channel = c % channels;
                if (value == -1)
                {
                    valve.InputWatermarkStatus(WatermarkStatus.Idle, channel);
                }
                else if (value == -2)
                {
                    valve.InputWatermarkStatus(WatermarkStatus.Active, channel);
                }
                else
                {
                    valve.InputWatermark(W(value), channel);
                    largest = Math.Max(largest, value);
                }
                Assert.True(valve.LastOutputWatermark <= largest);
            }
            var watermarks = output.Watermarks.ToList();
            Assert.Equal(watermarks.Order().Distinct(), watermarks);
            var statuses = output.Events.OfType<WatermarkStatus>().ToList();
            for (int i = 0; i < statuses.Count; i++)
            {
                Assert.Equal(i % 2 == 0, statuses[i].IsIdle); // idle, active, idle, ... never twice the same
            }
        });
    }
}
