using System.Runtime.InteropServices;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Network.Tests;

/// <summary>A 16-byte record, the shape of the throughput target.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Rec16(long Key, long Value);

/// <summary>An extra in-band event, standing in for watermarks and barriers.</summary>
public sealed class TestEvent(int id) : RuntimeEvent
{
    public int Id { get; } = id;

    public override string ToString() => $"TestEvent({Id})";
}

/// <summary>Wiring and waiting helpers; waits only bound a hang, they never decide an outcome.</summary>
internal static class TestSupport
{
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    public static MemorySegmentPool Pool(int segments, int segmentSize = 1024) =>
        new((long)segments * segmentSize, segmentSize, "network");

    public static void WaitUntil(Func<bool> condition, string what)
    {
        if (!SpinWait.SpinUntil(condition, Hang))
        {
            throw new TimeoutException($"Gave up waiting for: {what}");
        }
    }

    public static Thread Start(Action body, List<Exception> failures)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add(e);
                }
            }
        })
        { IsBackground = true };
        thread.Start();
        return thread;
    }

    public static void Join(Thread thread)
    {
        if (!thread.Join(Hang))
        {
            throw new TimeoutException("A test thread did not finish.");
        }
    }

    /// <summary>
    /// Reads a gate like a task does: takes buffers and events,
    /// deserializes records per channel, waits on the availability listener when nothing is there.
    /// </summary>
    public sealed class Reader<T>
    {
        private readonly InputGate _gate;
        private readonly RecordDeserializer<T>[] _deserializers;
        private readonly SemaphoreSlim _available = new(0);

        public Reader(InputGate gate, IRecordSerializer<T> serializer)
        {
            _gate = gate;
            _deserializers = new RecordDeserializer<T>[gate.NumberOfChannels];
            for (int i = 0; i < _deserializers.Length; i++)
            {
                _deserializers[i] = new RecordDeserializer<T>(serializer);
            }
            gate.SetAvailabilityListener(() => _available.Release());
        }

        public RecordDeserializer<T> Deserializer(int channel) => _deserializers[channel];

        public List<(int Channel, T Record)> Records { get; } = [];

        public List<(int Channel, RuntimeEvent Event)> Events { get; } = [];

        /// <summary>Everything in arrival order: records as (channel, record), events as (channel, event).</summary>
        public List<(int Channel, object Item)> Sequence { get; } = [];

        /// <summary>Takes one buffer or event if there is one; reads all records of a buffer.</summary>
        public bool TryStep()
        {
            if (!_gate.TryGetNext(out var next))
            {
                return false;
            }
            if (next.IsBuffer)
            {
                var deserializer = _deserializers[next.ChannelIndex];
                deserializer.SetNextBuffer(next.Buffer!);
                while (deserializer.TryNext(out var record))
                {
                    Records.Add((next.ChannelIndex, record));
                    Sequence.Add((next.ChannelIndex, record!));
                }
            }
            else
            {
                Assert.False(_deserializers[next.ChannelIndex].HasPartialRecord, "An event arrived in the middle of a record.");
                Events.Add((next.ChannelIndex, next.Event!));
                Sequence.Add((next.ChannelIndex, next.Event!));
            }
            return true;
        }

        public void ReadUntil(Func<bool> until)
        {
            while (!until())
            {
                if (!TryStep() && !_available.Wait(Hang))
                {
                    throw new TimeoutException("No input arrived.");
                }
            }
        }

        public void ReadToEnd() => ReadUntil(() => _gate.IsFinished);
    }
}
