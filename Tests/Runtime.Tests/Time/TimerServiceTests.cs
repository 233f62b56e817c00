using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.Tasks;
using DataflowCompiler.Time;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>The timer heap and the keyed timer service on one thread, with a manual clock and the mailbox run by the test.</summary>
public sealed class TimerServiceTests
{
    [Fact]
    public void Timer_heap_polls_like_a_sorted_set_model_with_one_timer_per_key_and_timestamp()
    {
        // op: 0 add, 1 remove, 2 poll due at the given time
        var ops = Gen.ListOf(Gen.Zip(Gen.Choose(0, 2), Gen.Zip(Gen.Choose(0, 50), Gen.Choose(0, 3)))).ToArbitrary();
        TimeProperties.Check(ops, list =>
        {
            var heap = new TimerHeap<int, VoidNamespace>();
            var model = new List<(long Ts, int Key, long Seq)>();
            long seq = 0;
            foreach (var (op, (ts, key)) in list)
            {
                var timer = new InternalTimer<int, VoidNamespace>(ts, key, default, key);
                switch (op)
                {
                    case 0:
                        bool added = heap.Add(timer);
                        Assert.Equal(!model.Exists(m => m.Ts == ts && m.Key == key), added);
                        if (added)
                        {
                            model.Add((ts, key, seq++));
                        }
                        break;
                    case 1:
                        Assert.Equal(model.RemoveAll(m => m.Ts == ts && m.Key == key) == 1, heap.Remove(timer));
                        break;
                    default:
                        var due = model.Where(m => m.Ts <= ts).OrderBy(m => m.Ts).ThenBy(m => m.Seq).ToList();
                        foreach (var expected in due)
                        {
                            Assert.True(heap.TryPollDue(ts, out var polled));
                            Assert.Equal((expected.Ts, expected.Key), (polled.Timestamp, polled.Key));
                            model.Remove(expected);
                        }
                        Assert.False(heap.TryPollDue(ts, out _));
                        break;
                }
                Assert.Equal(model.Count, heap.Count);
                Assert.Equal(model.Select(m => (m.Ts, m.Key)).Order(), heap.Timers.Select(t => (t.Timestamp, t.Key)).Order());
                if (model.Count == 0)
                {
                    Assert.False(heap.TryPeek(out _));
                }
                else
                {
                    var first = model.OrderBy(m => m.Ts).ThenBy(m => m.Seq).First();
                    Assert.True(heap.TryPeek(out var peeked));
                    Assert.Equal((first.Ts, first.Key), (peeked.Timestamp, peeked.Key));
                }
            }
        });
    }

    [Fact]
    public void Event_time_timers_fire_in_order_once_per_key_and_timestamp_with_their_key_current()
    {
        using var fixture = new Fixture();
        var service = fixture.Service;
        foreach (var (key, ts) in new[] { ("a", 30L), ("b", 10L), ("a", 10L), ("a", 30L), ("c", 20L), ("b", 10L), ("c", 40L) })
        {
            fixture.Backend.SetCurrentKey(key);
            service.RegisterEventTimeTimer(VoidNamespace.Instance, ts);
        }
        fixture.Backend.SetCurrentKey("c");
        service.DeleteEventTimeTimer(VoidNamespace.Instance, 40);
        Assert.Equal(4, service.EventTimeTimerCount);
        Assert.Equal(["a@10", "a@30", "b@10", "c@20"], service.EventTimeTimers.Select(t => $"{t.Key}@{t.Timestamp}").Order());

        service.AdvanceWatermark(20);
        Assert.Equal(["E b@10 (wm 20)", "E a@10 (wm 20)", "E c@20 (wm 20)"], fixture.Target.Fired);
        service.AdvanceWatermark(long.MaxValue);
        Assert.Equal("E a@30 (wm 9223372036854775807)", fixture.Target.Fired[^1]);
        Assert.Equal(4, fixture.Target.Fired.Count);
        Assert.Equal(0, service.EventTimeTimerCount);
    }

    [Fact]
    public void Processing_time_timers_fire_through_the_mailbox_when_the_manual_clock_reaches_them()
    {
        using var fixture = new Fixture();
        var service = fixture.Service;
        long now = fixture.Clock.CurrentTimeMillis;
        fixture.Backend.SetCurrentKey("a");
        service.RegisterProcessingTimeTimer(VoidNamespace.Instance, now + 100);
        service.RegisterProcessingTimeTimer(VoidNamespace.Instance, now + 100); // once
        service.RegisterProcessingTimeTimer(VoidNamespace.Instance, now + 300);
        fixture.Backend.SetCurrentKey("b");
        service.RegisterProcessingTimeTimer(VoidNamespace.Instance, now + 50);
        service.RegisterProcessingTimeTimer(VoidNamespace.Instance, now + 200);
        service.DeleteProcessingTimeTimer(VoidNamespace.Instance, now + 200);

        fixture.RunMail();
        Assert.Empty(fixture.Target.Fired);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(49));
        fixture.RunMail();
        Assert.Empty(fixture.Target.Fired);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(51));   // now + 100: b@50 and a@100
        Assert.Empty(fixture.Target.Fired);                     // not on the clock's thread: only mail was posted
        fixture.RunMail();
        Assert.Equal([$"P b@{now + 50}", $"P a@{now + 100}"], fixture.Target.Fired);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(500));
        fixture.RunMail();
        Assert.Equal([$"P b@{now + 50}", $"P a@{now + 100}", $"P a@{now + 300}"], fixture.Target.Fired);
        Assert.Equal(0, fixture.Clock.PendingTimers);
    }

    [Fact]
    public void A_quiesced_processing_time_service_fires_nothing_and_cancels_its_clock_timers()
    {
        using var fixture = new Fixture();
        fixture.Backend.SetCurrentKey("a");
        fixture.Service.RegisterProcessingTimeTimer(VoidNamespace.Instance, fixture.Clock.CurrentTimeMillis + 10);
        Assert.Equal(1, fixture.Clock.PendingTimers);
        fixture.Time.ProcessingTime.Quiesce();
        Assert.Equal(0, fixture.Clock.PendingTimers);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        fixture.RunMail();
        Assert.Empty(fixture.Target.Fired);
    }

    private sealed class Fixture : IDisposable
    {
        private readonly Mailbox _mailbox = new(new TaskSignal());

        public Fixture()
        {
            Time = new TaskTimeServices(Clock, TimeSpan.FromMilliseconds(200));
            Time.ProcessingTime.Attach(_mailbox);
            Backend = new BinaryKeyedStateBackend<string>("op", new KeyGroupRange(0, 127), 128,
                new MemorySegmentPool(1 << 20, 4096, "managed"), new SerializerRegistry());
            Target = new RecordingTarget(this);
            Service = new TimeServiceManager<string>(Backend, Time.ProcessingTime).GetTimerService("user-timers", VoidNamespace.Serializer, Target);
        }

        public ManualTimeProvider Clock { get; } = new();
        public TaskTimeServices Time { get; }
        public BinaryKeyedStateBackend<string> Backend { get; }
        public RecordingTarget Target { get; }
        public InternalTimerService<string, VoidNamespace> Service { get; }

        public void RunMail() => _mailbox.ProcessMail(() => { });

        public void Dispose() => Backend.Dispose();
    }

    private sealed class RecordingTarget(Fixture fixture) : ITimerTarget<string, VoidNamespace>
    {
        public List<string> Fired { get; } = new();

        public void OnEventTime(in InternalTimer<string, VoidNamespace> timer)
        {
            Assert.Equal(timer.Key, fixture.Backend.CurrentKey);
            Fired.Add($"E {timer.Key}@{timer.Timestamp} (wm {fixture.Service.CurrentWatermark})");
        }

        public void OnProcessingTime(in InternalTimer<string, VoidNamespace> timer)
        {
            Assert.Equal(timer.Key, fixture.Backend.CurrentKey);
            Fired.Add($"P {timer.Key}@{timer.Timestamp}");
        }
    }
}
