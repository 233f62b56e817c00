using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.Tasks;
using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>Timers are state: they round-trip through a snapshot, split by key group when rescaling, and restore without duplicates.</summary>
public sealed class TimerSnapshotTests
{
    private const int MaxParallelism = 128;

    [Fact]
    public void Timers_round_trip_keeping_only_owned_key_groups_without_duplicates()
    {
        var all = new Operator(new KeyGroupRange(0, MaxParallelism - 1));
        var user = all.UserTimers();
        var windows = all.WindowTimers();
        for (int i = 0; i < 300; i++)
        {
            all.Backend.SetCurrentKey($"key-{i}");
            user.RegisterEventTimeTimer(VoidNamespace.Instance, i);
            user.RegisterProcessingTimeTimer(VoidNamespace.Instance, 10_000 + i);
            windows.RegisterEventTimeTimer(i % 7, 500 + i);
        }
        var original = Timers(all);
        Assert.Equal(900, original.Count);
        var stream = new MemoryStream();
        all.Manager.WriteSnapshot(stream);
        byte[] bytes = stream.ToArray();

        var parts = new[] { new KeyGroupRange(0, 40), new KeyGroupRange(41, MaxParallelism - 1) }.Select(range =>
        {
            var part = new Operator(range);
            part.UserTimers(); // one service exists before the restore, the other is created after it
            part.Manager.Restore(new MemoryStream(bytes), range);
            part.Manager.Restore(new MemoryStream(bytes), range); // the same timers again stay one timer each
            part.WindowTimers();
            return part;
        }).ToArray();

        foreach (var part in parts)
        {
            var timers = Timers(part);
            Assert.NotEmpty(timers);
            Assert.All(timers, t => Assert.True(part.Backend.KeyGroupRange.Contains(t.KeyGroup), $"{t} is not owned"));
            Assert.All(timers, t => Assert.Equal(KeyGroupOf(t.Key), t.KeyGroup));
        }
        Assert.Equal(original.Order(), parts.SelectMany(Timers).Order());
        // Restored timers fire for their keys.
        parts[0].Manager.AdvanceWatermark(long.MaxValue);
        Assert.Equal(original.Count(t => t.Service == "user" && t.Domain == "E" && parts[0].Backend.KeyGroupRange.Contains(t.KeyGroup)), parts[0].Target.Fired);
    }

    private static int KeyGroupOf(string key)
    {
        var bytes = new DataOutputSerializer();
        new StringSerializer().Serialize(key, bytes);
        return KeyGroupRangeAssignment.AssignToKeyGroup(bytes.WrittenSpan, MaxParallelism);
    }

    private static List<(string Service, string Domain, string Key, string Ns, long Ts, int KeyGroup)> Timers(Operator op)
    {
        var user = op.UserTimers();
        var windows = op.WindowTimers();
        return user.EventTimeTimers.Select(t => ("user", "E", t.Key, "", t.Timestamp, t.KeyGroup))
            .Concat(user.ProcessingTimeTimers.Select(t => ("user", "P", t.Key, "", t.Timestamp, t.KeyGroup)))
            .Concat(windows.EventTimeTimers.Select(t => ("windows", "E", t.Key, t.Namespace.ToString(), t.Timestamp, t.KeyGroup)))
            .Concat(windows.ProcessingTimeTimers.Select(t => ("windows", "P", t.Key, t.Namespace.ToString(), t.Timestamp, t.KeyGroup)))
            .ToList();
    }

    private sealed class Operator
    {
        public Operator(KeyGroupRange range)
        {
            var time = new TaskTimeServices(new ManualTimeProvider(), TimeSpan.FromMilliseconds(200));
            time.ProcessingTime.Attach(new Mailbox(new TaskSignal()));
            Backend = new BinaryKeyedStateBackend<string>("timers-op", range, MaxParallelism, new MemorySegmentPool(1 << 20, 4096, "managed"), new SerializerRegistry());
            Manager = new TimeServiceManager<string>(Backend, time.ProcessingTime);
        }

        public BinaryKeyedStateBackend<string> Backend { get; }

        public TimeServiceManager<string> Manager { get; }

        public CountingTarget<VoidNamespace> Target { get; } = new();

        public InternalTimerService<string, VoidNamespace> UserTimers() => Manager.GetTimerService("user", VoidNamespace.Serializer, Target);

        public InternalTimerService<string, int> WindowTimers()
        {
            Assert.True(new SerializerRegistry().TryGet<int>(out var serializer));
            return Manager.GetTimerService("windows", serializer, new CountingTarget<int>());
        }
    }

    private sealed class CountingTarget<TNamespace> : ITimerTarget<string, TNamespace>
    {
        public int Fired { get; private set; }

        public void OnEventTime(in InternalTimer<string, TNamespace> timer) => Fired++;

        public void OnProcessingTime(in InternalTimer<string, TNamespace> timer) => Fired++;
    }
}
