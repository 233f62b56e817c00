using DataflowCompiler.Functions;
using DataflowCompiler.Sinks;
using DataflowCompiler.Sources;
using DataflowCompiler.State;
using DataflowCompiler.Time;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>
/// Event time in whole jobs on the local cluster. Watermarks come from punctuated or custom generators, so what a
/// test checks never depends on the wall clock; tests that hold a job open feed a <see cref="PushSource{T}"/> and wait
/// on the sink, never sleep.
/// </summary>
public sealed class EventTimeJobTests
{
    private const long Offset = 1_000_000;

    private static StreamEnvironment Environment(int parallelism) =>
        StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = parallelism, BufferTimeout = TimeSpan.Zero });

    private static void Finish(JobClient client) =>
        Assert.True(client.Completion.Wait(TimeSpan.FromSeconds(30)), "the job did not finish");

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void Event_time_timers_fire_once_per_key_and_timestamp_in_order_before_the_watermark_and_all_at_end_of_input(int parallelism, bool atSource)
    {
        const long bound = 20;
        var random = new Random(1234 + parallelism);
        var input = Enumerable.Range(0, 3000).Select(i => (Key: (long)random.Next(25), Ts: i * 10L + random.Next((int)bound + 1))).ToList();
        var env = StreamEnvironment.CreateLocal(parallelism);
        var strategy = WatermarkStrategy.ForGenerator<(long Key, long Ts)>(_ => new PunctuatedBoundedGenerator<(long, long)>(bound))
            .WithTimestampAssigner(e => e.Ts);
        var events = atSource
            ? env.FromSource(new CollectionSource<(long Key, long Ts)>(input), strategy, "events")
            : env.FromCollection(input).Map(e => e).AssignTimestampsAndWatermarks(strategy);
        var sink = events
            .KeyBy(e => e.Key)
            .Process(new TimerPerRecord())
            .Rebalance()
            .Process(new ReceiptProbe())
            .CollectToList();
        env.Execute("event-time timers");

        var expected = input.Select(e => (e.Key, e.Ts))
            .Concat(input.Where(e => e.Ts % 3 != 0).Select(e => (e.Key, e.Ts + Offset)))
            .Distinct().Order().ToList();
        var fired = sink.Results;
        Assert.Equal(expected, fired.Select(r => (r.Key, r.Timer)).Order().ToList()); // once each, deleted ones never
        Assert.All(fired, r =>
        {
            Assert.True(r.FiredAt >= r.Timer, $"timer {r.Timer} fired at watermark {r.FiredAt}");
            Assert.Equal(r.Timer, r.Timestamp);                 // the timer's timestamp travelled with the record
            Assert.True(r.SeenAt < r.Timer, $"the output of timer {r.Timer} arrived after watermark {r.SeenAt}");
        });
        Assert.Contains(fired, r => r.FiredAt < long.MaxValue); // watermarks advanced before the end of the input
        Assert.Contains(fired, r => r.FiredAt == long.MaxValue); // the rest fired at the final watermark
    }

    [Fact]
    public void Buffering_per_key_and_emitting_on_timers_matches_a_sorted_reference_for_generated_out_of_order_input()
    {
        const long bound = 50;
        var step = Gen.Zip(Gen.Choose(0, 4), Gen.Zip(Gen.Choose(0, 30), Gen.Choose(0, (int)bound)));
        TimeProperties.Check(Gen.ListOf(step).ToArbitrary(), steps =>
        {
            long time = 0;
            var events = steps.Select((s, i) =>
            {
                time += s.Item2.Item1;
                return (Key: (long)s.Item1, Ts: time + s.Item2.Item2, Seq: (long)i); // at most `bound` behind the maximum so far
            }).ToList();
            var env = StreamEnvironment.CreateLocal(2);
            var sink = env.FromSource(new CollectionSource<(long Key, long Ts, long Seq)>(events),
                    WatermarkStrategy.ForGenerator<(long Key, long Ts, long Seq)>(_ => new PunctuatedBoundedGenerator<(long, long, long)>(bound))
                        .WithTimestampAssigner(e => e.Ts))
                .KeyBy(e => e.Key)
                .Process(new SortingBuffer())
                .CollectToList();
            env.Execute("sort per key");

            var expected = events.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Ts).ThenBy(e => e.Seq).ToList());
            var actual = sink.Results.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (key, list) in expected)
            {
                Assert.Equal(list, actual[key]);
            }
        }, maxTest: 15);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_keyed_task_advances_to_the_minimum_watermark_over_its_channels(int parallelism)
    {
        var source = new PushSource<(long Key, long Ts)>(parallelism);
        var sink = new WaitingSink<(long Key, long Timer, long FiredAt)>();
        var env = Environment(parallelism);
        env.FromSource(source, WatermarkStrategy.ForPunctuatedWatermarks<(long Key, long Ts)>((_, ts) => ts).WithTimestampAssigner(e => e.Ts), "push")
            .KeyBy(e => e.Key)
            .Process(new FireReporter())
            .SinkTo(sink);
        var client = env.ExecuteAsync("minimum watermark");

        for (int s = 0; s < parallelism - 1; s++)
        {
            source.Push(s, (s, 1000));
        }
        source.Push(parallelism - 1, (100, 100));
        // Every channel of every keyed subtask has one watermark: 1000 from all but the last source subtask, 100 from it.
        var fired = sink.WaitUntil(r => r.Count >= 1, "the timer at 100");
        Assert.Equal([(100L, 100L, 100L)], fired);

        source.Push(parallelism - 1, (200, 2000));
        fired = sink.WaitUntil(r => r.Count >= parallelism, "the timers at 1000");
        Assert.All(fired.Skip(1), r => Assert.Equal((1000L, 1000L), (r.Timer, r.FiredAt)));
        Assert.Equal(Enumerable.Range(0, parallelism - 1).Select(k => (long)k), fired.Skip(1).Select(r => r.Key).Order());

        source.EndAll();
        Finish(client);
        // Fired once the last source subtask's watermark reached 2000, or at the final watermark, as the subtasks finish in any order.
        Assert.Equal((200L, 2000L), (sink.Records[^1].Key, sink.Records[^1].Timer));
        Assert.True(sink.Records[^1].FiredAt >= 2000);
        Assert.Equal(parallelism + 1, sink.Records.Count);
    }

    [Fact]
    public void An_idle_channel_does_not_hold_back_the_watermark_all_idle_forwards_the_largest_and_a_resumed_channel_counts_again()
    {
        // Key -1 marks the source subtask idle, key -2 is an acknowledgement only (no timer, no watermark);
        // any other record emits its timestamp as the watermark (and so makes its subtask active again).
        var source = new PushSource<(long Key, long Ts)>(2);
        var sink = new WaitingSink<(long Key, long Timer, long FiredAt)>();
        var env = Environment(2);
        env.FromSource(source, WatermarkStrategy.ForGenerator<(long Key, long Ts)>(_ => new IdleOnMarker()).WithTimestampAssigner(e => e.Ts), "push")
            .KeyBy(e => e.Key)
            .Process(new FireReporter())
            .SetParallelism(1)
            .SinkTo(sink).SetParallelism(1);
        var client = env.ExecuteAsync("idleness");
        int acks = 0;
        void Ack(int subtask)
        {
            source.Push(subtask, (-2, 0));
            int expected = ++acks;
            sink.WaitUntil(r => r.Count(x => x.Key == -2) >= expected, $"acknowledgement {expected}");
        }
        List<(long Key, long Timer, long FiredAt)> Fired() => sink.Records.Where(r => r.Key >= 0).ToList();

        source.Push(1, (1, 10));
        source.Push(1, (-1, 0));
        Ack(1);
        Assert.Empty(Fired()); // subtask 0 has not sent a watermark: still the minimum

        source.Push(0, (0, 500));
        Ack(0);
        Assert.Equal([(1L, 10L, 500L), (0L, 500L, 500L)], Fired()); // subtask 1 is idle: only subtask 0 counts

        source.Push(1, (3, 2000));
        Ack(1);
        source.Push(0, (4, 3000));
        Ack(0);
        Assert.Equal((3L, 2000L, 2000L), Fired()[^1]); // subtask 1 is active again and holds the minimum at 2000

        source.Push(0, (-1, 0));
        Ack(0);
        Assert.Equal(3, Fired().Count);
        source.Push(1, (-1, 0));
        Ack(1);
        Assert.Equal((4L, 3000L, 3000L), Fired()[^1]); // all idle: the largest channel watermark is forwarded

        source.EndAll();
        Finish(client);
        Assert.Equal(4, Fired().Count);
    }

    [Fact]
    public void Keyed_co_process_timers_use_the_minimum_of_both_inputs_and_see_the_key_and_its_state()
    {
        var left = new PushSource<(long Key, long Ts)>(1);
        var right = new PushSource<(long Key, long Ts)>(1);
        var sink = new WaitingSink<(long Key, long Timer, long FiredAt, long Count)>();
        var env = Environment(2);
        var strategy = WatermarkStrategy.ForPunctuatedWatermarks<(long Key, long Ts)>((_, ts) => ts).WithTimestampAssigner(e => e.Ts);
        env.FromSource(left, strategy, "left")
            .Connect(env.FromSource(right, strategy, "right"))
            .KeyBy(e => e.Key, e => e.Key)
            .Process(new CoTimers())
            .SinkTo(sink);
        var client = env.ExecuteAsync("co-process timers");

        left.Push(0, (1, 1000));
        right.Push(0, (1, 100));
        var fired = sink.WaitUntil(r => r.Count >= 1, "the timer at 100");
        Assert.Equal([(1L, 100L, 100L, 2L)], fired); // min(1000, 100); both records of key 1 are in its state

        right.Push(0, (2, 5000));
        fired = sink.WaitUntil(r => r.Count >= 2, "the timer at 1000");
        Assert.Equal((1L, 1000L, 1000L, 2L), fired[1]);

        left.EndAll();
        right.EndAll();
        Finish(client);
        var records = sink.Records;
        Assert.Equal(3, records.Count);
        // At 5000 if the left input finished (final watermark) before the right one, else at the final watermark.
        Assert.Equal((2L, 5000L, 1L), (records[2].Key, records[2].Timer, records[2].Count));
        Assert.True(records[2].FiredAt >= 5000);
    }

    [Fact]
    public void Timers_on_a_non_keyed_stream_fail_the_job_with_a_message_that_says_to_key_the_stream()
    {
        var env = StreamEnvironment.CreateLocal(1);
        env.FromElements(1L, 2L).Process(new NonKeyedTimer()).CollectToList();
        var e = Assert.Throws<JobExecutionException>(() => env.Execute());
        Assert.Contains("KeyBy", e.ToString());
    }

    /// <summary>Registers a timer at each record's timestamp and one at timestamp + offset, deleted again for timestamps divisible by 3.</summary>
    private sealed class TimerPerRecord : KeyedProcessFunction<long, (long Key, long Ts), (long Key, long Timer, long FiredAt)>
    {
        private long _lastFired = long.MinValue;

        public override void ProcessElement((long Key, long Ts) value, Context context, ICollector<(long Key, long Timer, long FiredAt)> output)
        {
            if (context.Timestamp != value.Ts || context.CurrentKey != value.Key)
            {
                throw new InvalidOperationException($"record {value} has timestamp {context.Timestamp} and key {context.CurrentKey}");
            }
            if (value.Ts <= context.TimerService.CurrentWatermark)
            {
                throw new InvalidOperationException($"record {value} is late: watermark {context.TimerService.CurrentWatermark}");
            }
            context.TimerService.RegisterEventTimeTimer(value.Ts);
            context.TimerService.RegisterEventTimeTimer(value.Ts + Offset);
            if (value.Ts % 3 == 0)
            {
                context.TimerService.DeleteEventTimeTimer(value.Ts + Offset);
            }
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(long Key, long Timer, long FiredAt)> output)
        {
            if (context.TimeDomain != TimeDomain.EventTime || context.Timestamp != timestamp || timestamp < _lastFired)
            {
                throw new InvalidOperationException($"timer {timestamp} ({context.TimeDomain}) after {_lastFired}");
            }
            _lastFired = timestamp;
            output.Collect((context.CurrentKey, timestamp, context.TimerService.CurrentWatermark));
        }
    }

    /// <summary>Adds the record's timestamp and this task's watermark on arrival.</summary>
    private sealed class ReceiptProbe : ProcessFunction<(long Key, long Timer, long FiredAt), (long Key, long Timer, long FiredAt, long Timestamp, long SeenAt)>
    {
        public override void ProcessElement((long Key, long Timer, long FiredAt) value, Context context,
            ICollector<(long Key, long Timer, long FiredAt, long Timestamp, long SeenAt)> output) =>
            output.Collect((value.Key, value.Timer, value.FiredAt, context.Timestamp ?? -1, context.TimerService.CurrentWatermark));
    }

    /// <summary>Buffers events per key in list state and emits, on the timer at an event's timestamp, every buffered event up to it in order.</summary>
    private sealed class SortingBuffer : KeyedProcessFunction<long, (long Key, long Ts, long Seq), (long Key, long Ts, long Seq)>
    {
        private IListState<(long Ts, long Seq)> _buffer = null!;

        public override void Open(RuntimeContext context) => _buffer = context.GetListState(new ListStateDescriptor<(long Ts, long Seq)>("buffer"));

        public override void ProcessElement((long Key, long Ts, long Seq) value, Context context, ICollector<(long Key, long Ts, long Seq)> output)
        {
            _buffer.Add((value.Ts, value.Seq));
            context.TimerService.RegisterEventTimeTimer(value.Ts);
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(long Key, long Ts, long Seq)> output)
        {
            var buffered = _buffer.Get();
            foreach (var (ts, seq) in buffered.Where(e => e.Ts <= timestamp).OrderBy(e => e.Ts).ThenBy(e => e.Seq))
            {
                output.Collect((context.CurrentKey, ts, seq));
            }
            _buffer.Update(buffered.Where(e => e.Ts > timestamp).ToList());
        }
    }

    private sealed class IdleOnMarker : IWatermarkGenerator<(long Key, long Ts)>
    {
        public void OnEvent((long Key, long Ts) record, long eventTimestamp, IWatermarkOutput output)
        {
            if (record.Key == -1)
            {
                output.MarkIdle();
            }
            else if (record.Key >= 0)
            {
                output.EmitWatermark(eventTimestamp);
            }
        }

        public void OnPeriodicEmit(IWatermarkOutput output) { }
    }

    /// <summary>Counts records per key; a timer at each record's timestamp; the timer reports its key (from the context), the watermark and the count.</summary>
    private sealed class CoTimers : CoProcessFunction<(long Key, long Ts), (long Key, long Ts), (long Key, long Timer, long FiredAt, long Count)>
    {
        private IValueState<long> _count = null!;

        public override void Open(RuntimeContext context) => _count = context.GetState(new ValueStateDescriptor<long>("count", 0));

        public override void ProcessElement1((long Key, long Ts) value, Context context, ICollector<(long Key, long Timer, long FiredAt, long Count)> output) => Register(value, context);

        public override void ProcessElement2((long Key, long Ts) value, Context context, ICollector<(long Key, long Timer, long FiredAt, long Count)> output) => Register(value, context);

        private void Register((long Key, long Ts) value, Context context)
        {
            _count.Update(_count.Value() + 1);
            context.TimerService.RegisterEventTimeTimer(value.Ts);
        }

        public override void OnTimer(long timestamp, OnTimerContext context, ICollector<(long Key, long Timer, long FiredAt, long Count)> output)
        {
            if (context.TimeDomain != TimeDomain.EventTime)
            {
                throw new InvalidOperationException($"unexpected {context.TimeDomain} timer");
            }
            output.Collect(((long)context.CurrentKey, timestamp, context.TimerService.CurrentWatermark, _count.Value()));
        }
    }

    private sealed class NonKeyedTimer : ProcessFunction<long, long>
    {
        public override void ProcessElement(long value, Context context, ICollector<long> output) =>
            context.TimerService.RegisterEventTimeTimer(value);
    }
}
