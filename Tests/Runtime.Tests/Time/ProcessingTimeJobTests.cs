using DataflowCompiler.Functions;
using DataflowCompiler.State;
using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>
/// Processing time in whole jobs with a <see cref="ManualTimeProvider"/>: nothing waits for real time; the test moves
/// the clock and waits on the sink for what must follow.
/// </summary>
public sealed class ProcessingTimeJobTests
{
    private static StreamEnvironment Environment(int parallelism, ManualTimeProvider clock, TimeSpan? watermarkInterval = null) =>
        StreamEnvironment.CreateLocal(new StreamConfiguration
        {
            Parallelism = parallelism,
            BufferTimeout = TimeSpan.Zero,
            TimeProvider = clock,
            AutoWatermarkInterval = watermarkInterval ?? TimeSpan.FromMilliseconds(200),
        });

    private static void Finish(JobClient client) =>
        Assert.True(client.Completion.Wait(TimeSpan.FromSeconds(30)), "the job did not finish");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Processing_time_timers_fire_when_the_clock_reaches_them_once_per_key_and_timestamp_and_deleted_ones_never(int parallelism)
    {
        var clock = new ManualTimeProvider();
        long t0 = clock.CurrentTimeMillis;
        var source = new PushSource<(long Key, long Delete, long Time)>(1);
        var sink = new WaitingSink<(long Key, long Timer, long Now, long Count)>();
        var env = Environment(parallelism, clock);
        env.FromSource(source, "push").KeyBy(e => e.Key).Process(new ProcessingTimers()).SinkTo(sink);
        var client = env.ExecuteAsync("processing-time timers");
        int acks = 0;
        void Send(long key, long delete, long time)
        {
            source.Push(0, (key, delete, time));
            int expected = ++acks;
            sink.WaitUntil(r => r.Count(x => x.Timer == -1) >= expected, $"acknowledgement {expected}");
        }
        List<(long Key, long Timer, long Now, long Count)> Fired() => sink.Records.Where(r => r.Timer >= 0).ToList();

        Send(1, 0, t0 + 1000);
        Send(2, 0, t0 + 1000);
        Send(1, 0, t0 + 1000); // the same timer again: still one
        Send(2, 0, t0 + 2000);
        Send(2, 1, t0 + 1000); // deleted
        Send(1, 0, t0 + 3000);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Send(3, 0, t0 + 5000);
        Assert.Empty(Fired()); // nothing is due before t0 + 1000

        clock.Advance(TimeSpan.FromMilliseconds(1));
        sink.WaitUntil(r => r.Any(x => x.Timer >= 0), "the timer at t0 + 1000");
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        sink.WaitUntil(r => r.Any(x => x.Timer == t0 + 2000), "the timer at t0 + 2000");
        // A duplicate or the deleted timer would have fired with the first one, before the second.
        Assert.Equal([(1L, t0 + 1000, t0 + 1000, 3L), (2L, t0 + 2000, t0 + 2000, 3L)], Fired());

        source.EndAll();
        Finish(client);
        Assert.Equal(2, Fired().Count);          // timers still pending at the end of the input are dropped, as in Flink
        Assert.Equal(0, clock.PendingTimers);    // and their clock timers are gone
    }

    [Fact]
    public void Periodic_watermarks_are_emitted_every_configured_interval_of_the_manual_clock()
    {
        var clock = new ManualTimeProvider();
        var source = new PushSource<(long Key, long Ts)>(1);
        var sink = new WaitingSink<(long Key, long Timer, long FiredAt)>();
        var env = Environment(1, clock, TimeSpan.FromMilliseconds(300));
        env.FromSource(source, WatermarkStrategy.ForBoundedOutOfOrderness<(long Key, long Ts)>(TimeSpan.FromMilliseconds(100), e => e.Ts), "push")
            .KeyBy(e => e.Key)
            .Process(new FireReporter())
            .SinkTo(sink);
        var client = env.ExecuteAsync("periodic watermarks");
        int acks = 0;
        void Send(long key, long ts)
        {
            source.Push(0, (key, ts));
            source.Push(0, (-2, 0));
            int expected = ++acks;
            sink.WaitUntil(r => r.Count(x => x.Key == -2) >= expected, $"acknowledgement {expected}");
        }
        List<(long Key, long Timer, long FiredAt)> Fired() => sink.Records.Where(r => r.Key >= 0).ToList();

        Send(1, 1000);
        Send(1, 1500);
        Assert.Empty(Fired());
        clock.Advance(TimeSpan.FromMilliseconds(300));
        sink.WaitUntil(r => r.Any(x => x.Key >= 0), "the timer at 1000");
        Assert.Equal([(1L, 1000L, 1399L)], Fired()); // max 1500 - bound 100 - 1

        Send(2, 2000);
        clock.Advance(TimeSpan.FromMilliseconds(299));
        Send(3, 2100);
        Assert.Single(Fired());                        // the next emission is due 300 ms after the last
        clock.Advance(TimeSpan.FromMilliseconds(1));
        sink.WaitUntil(r => r.Count(x => x.Key >= 0) >= 2, "the timer at 1500");
        Assert.Equal((1L, 1500L, 1999L), Fired()[1]);

        source.EndAll();
        Finish(client);
        Assert.Equal([1000L, 1500L, 2000L, 2100L], Fired().Select(r => r.Timer));
        Assert.Equal(long.MaxValue, Fired()[^1].FiredAt);
        Assert.Equal(0, clock.PendingTimers);
    }

    [Fact]
    public void Ingestion_time_gives_records_the_source_clock_and_the_timestamp_travels_to_the_next_task()
    {
        var clock = new ManualTimeProvider();
        long t0 = clock.CurrentTimeMillis;
        var source = new PushSource<string>(1);
        var sink = new WaitingSink<(string Value, long Timestamp)>();
        var env = Environment(2, clock);
        env.FromSource(source, WatermarkStrategy.ForIngestionTime<string>(), "push")
            .Rebalance()
            .Process(new TimestampProbe())
            .SinkTo(sink);
        var client = env.ExecuteAsync("ingestion time");

        source.Push(0, "a");
        sink.WaitUntil(r => r.Count == 1, "a");
        clock.Advance(TimeSpan.FromSeconds(5));
        source.Push(0, "b");
        sink.WaitUntil(r => r.Count == 2, "b");
        source.EndAll();
        Finish(client);
        Assert.Equal([("a", t0), ("b", t0 + 5000)], sink.Records);
    }

    /// <summary>Counts records per key; registers or deletes a processing-time timer per record; acknowledges each record with timer -1.</summary>
    private sealed class ProcessingTimers : KeyedProcessFunction<long, (long Key, long Delete, long Time), (long Key, long Timer, long Now, long Count)>
    {
        private IValueState<long> _count = null!;

        public override void Open(RuntimeContext context) => _count = context.GetState(new ValueStateDescriptor<long>("count", 0));

        public override void ProcessElement((long Key, long Delete, long Time) value, Context context, ICollector<(long Key, long Timer, long Now, long Count)> output)
        {
            _count.Update(_count.Value() + 1);
            if (value.Delete == 1)
            {
                context.TimerService.DeleteProcessingTimeTimer(value.Time);
            }
            else
            {
                context.TimerService.RegisterProcessingTimeTimer(value.Time);
            }
            output.Collect((value.Key, -1, context.TimerService.CurrentProcessingTime, _count.Value()));
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(long Key, long Timer, long Now, long Count)> output)
        {
            if (context.TimeDomain != TimeDomain.ProcessingTime || context.Timestamp != timestamp)
            {
                throw new InvalidOperationException($"timer {timestamp}: {context.TimeDomain}, timestamp {context.Timestamp}");
            }
            output.Collect((context.CurrentKey, timestamp, context.TimerService.CurrentProcessingTime, _count.Value()));
        }
    }

    private sealed class TimestampProbe : ProcessFunction<string, (string Value, long Timestamp)>
    {
        public override void ProcessElement(string value, Context context, ICollector<(string Value, long Timestamp)> output) =>
            output.Collect((value, context.Timestamp ?? -1));
    }
}
