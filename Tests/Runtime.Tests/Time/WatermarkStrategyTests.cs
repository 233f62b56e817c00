using DataflowCompiler.Time;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>The built-in strategies and generators, driven directly (no job, no clock unless it is a manual one).</summary>
public sealed class WatermarkStrategyTests
{
    private static WatermarkGeneratorContext Context(TimeProvider? clock = null) => new(clock ?? new ManualTimeProvider(), "test", 0);

    [Fact]
    public void Bounded_out_of_orderness_watermark_is_max_timestamp_minus_bound_minus_one()
    {
        var arbitrary = Gen.Zip(Gen.Choose(0, 10_000), Gen.ListOf(Gen.Choose(0, 1_000_000)).Where(l => l.Count > 0)).ToArbitrary();
        TimeProperties.Check(arbitrary, input =>
        {
            var (bound, timestamps) = input;
            var generator = WatermarkStrategy.ForBoundedOutOfOrderness<int>(TimeSpan.FromMilliseconds(bound)).CreateWatermarkGenerator(Context());
            var output = new RecordingWatermarkOutput();
            long max = long.MinValue;
            foreach (int ts in timestamps)
            {
                generator.OnEvent(ts, ts, output);
                max = Math.Max(max, ts);
                generator.OnPeriodicEmit(output);
                Assert.Equal(max - bound - 1, output.Watermarks[^1]);
            }
        });
    }

    [Fact]
    public void Bounded_out_of_orderness_before_any_record_emits_the_minimum_without_overflow()
    {
        var generator = new BoundedOutOfOrdernessWatermarks<int>(TimeSpan.FromSeconds(5));
        var output = new RecordingWatermarkOutput();
        generator.OnPeriodicEmit(output);
        Assert.Equal(long.MinValue, output.Watermarks.Single());
    }

    [Fact]
    public void Monotonous_timestamps_give_the_largest_timestamp_minus_one_and_the_assigner_extracts_them()
    {
        var strategy = WatermarkStrategy.ForMonotonousTimestamps<(string Name, long Time)>(r => r.Time);
        var assigner = strategy.CreateTimestampAssigner(Context())!;
        var generator = strategy.CreateWatermarkGenerator(Context());
        var output = new RecordingWatermarkOutput();
        foreach (var record in new[] { ("a", 10L), ("b", 20L), ("c", 20L), ("d", 35L) })
        {
            long ts = assigner(record, RecordTimestamp.None);
            Assert.Equal(record.Item2, ts);
            generator.OnEvent(record, ts, output);
            generator.OnPeriodicEmit(output);
        }
        Assert.Equal(new long[] { 9, 19, 19, 34 }, output.Watermarks);
    }

    [Fact]
    public void Without_an_assigner_records_keep_their_timestamp_and_with_one_it_sees_the_previous_timestamp()
    {
        Assert.Null(WatermarkStrategy.ForMonotonousTimestamps<int>().CreateTimestampAssigner(Context()));
        var assigner = WatermarkStrategy.ForMonotonousTimestamps<int>().WithTimestampAssigner((value, previous) => previous + value).CreateTimestampAssigner(Context())!;
        Assert.Equal(105, assigner(5, 100));
    }

    [Fact]
    public void Punctuated_strategy_emits_right_after_the_records_that_carry_a_watermark()
    {
        var strategy = WatermarkStrategy.ForPunctuatedWatermarks<(bool Mark, long Time)>((r, ts) => r.Mark ? ts : null)
            .WithTimestampAssigner(r => r.Time);
        var generator = strategy.CreateWatermarkGenerator(Context());
        var assigner = strategy.CreateTimestampAssigner(Context())!;
        var output = new RecordingWatermarkOutput();
        foreach (var record in new[] { (false, 5L), (true, 7L), (false, 9L), (true, 12L) })
        {
            generator.OnEvent(record, assigner(record, RecordTimestamp.None), output);
            generator.OnPeriodicEmit(output); // punctuated: nothing periodic
        }
        Assert.Equal(new long[] { 7, 12 }, output.Watermarks);
    }

    [Fact]
    public void Custom_generator_gets_a_context_with_the_job_clock_and_runs_per_subtask()
    {
        var clock = new ManualTimeProvider();
        TimeProvider? seen = null;
        var strategy = WatermarkStrategy.ForGenerator<long>(context =>
        {
            seen = context.TimeProvider;
            return new EveryOtherRecord();
        });
        var generator = strategy.CreateWatermarkGenerator(Context(clock));
        Assert.Same(clock, seen);
        var output = new RecordingWatermarkOutput();
        for (long ts = 1; ts <= 5; ts++)
        {
            generator.OnEvent(ts, ts, output);
        }
        Assert.Equal(new long[] { 2, 4 }, output.Watermarks);
    }

    [Fact]
    public void Idleness_marks_the_output_idle_after_the_timeout_without_records_and_active_on_the_next_record()
    {
        var clock = new ManualTimeProvider();
        var generator = WatermarkStrategy.ForMonotonousTimestamps<long>().WithIdleness(TimeSpan.FromSeconds(1)).CreateWatermarkGenerator(Context(clock));
        var output = new RecordingWatermarkOutput();
        generator.OnEvent(100, 100, output);
        generator.OnPeriodicEmit(output);          // a record since the last check: active, W:99
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(200));
            generator.OnPeriodicEmit(output);      // inactivity starts at the first check without records
        }
        Assert.DoesNotContain("IDLE", output.Events);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        generator.OnPeriodicEmit(output);          // 1 s after the first quiet check
        clock.Advance(TimeSpan.FromMilliseconds(200));
        generator.OnPeriodicEmit(output);          // idle once, not again
        generator.OnEvent(150, 150, output);
        generator.OnPeriodicEmit(output);
        Assert.Equal(["W:99", "W:99", "W:99", "W:99", "W:99", "W:99", "IDLE", "ACTIVE", "W:149"], output.Events);
    }

    [Fact]
    public void Ingestion_time_assigns_the_clock_and_never_goes_backwards()
    {
        var clock = new ManualTimeProvider();
        var assigner = WatermarkStrategy.ForIngestionTime<string>().CreateTimestampAssigner(Context(clock))!;
        long start = clock.CurrentTimeMillis;
        Assert.Equal(start, assigner("a", RecordTimestamp.None));
        clock.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(start + 1500, assigner("b", 42));
    }

    [Fact]
    public void Emitter_never_lets_a_watermark_go_backwards_and_reports_idleness_changes_once()
    {
        var arbitrary = Gen.ListOf(Gen.Choose(-1, 1000)).ToArbitrary();
        TimeProperties.Check(arbitrary, values =>
        {
            var events = new EventRecorder();
            var emitter = new WatermarkEmitter(events);
            foreach (int value in values)
            {
                if (value < 0)
                {
                    emitter.MarkIdle();
                }
                else
                {
                    emitter.EmitWatermark(value);
                }
            }
            var watermarks = events.Events.OfType<Watermark>().Select(w => w.Timestamp).ToList();
            Assert.Equal(watermarks.Order().Distinct(), watermarks);
            var statuses = events.Events.OfType<WatermarkStatus>().ToList();
            for (int i = 1; i < statuses.Count; i++)
            {
                Assert.NotEqual(statuses[i - 1].IsIdle, statuses[i].IsIdle);
            }
        });
    }

    [Fact]
    public void Invalid_bounds_and_timeouts_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WatermarkStrategy.ForBoundedOutOfOrderness<int>(TimeSpan.FromMilliseconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => WatermarkStrategy.ForMonotonousTimestamps<int>().WithIdleness(TimeSpan.Zero));
        var configuration = new StreamConfiguration { AutoWatermarkInterval = TimeSpan.FromMilliseconds(-5) };
        Assert.Throws<ArgumentOutOfRangeException>(configuration.Validate);
    }

    private sealed class EveryOtherRecord : IWatermarkGenerator<long>
    {
        public void OnEvent(long record, long eventTimestamp, IWatermarkOutput output)
        {
            if (eventTimestamp % 2 == 0)
            {
                output.EmitWatermark(eventTimestamp);
            }
        }

        public void OnPeriodicEmit(IWatermarkOutput output) { }
    }
}
