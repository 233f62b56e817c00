using DataflowCompiler.Functions;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>
/// Drives a window operator the way the runtime will: a real <see cref="BinaryKeyedStateBackend{TKey}"/> over a
/// small segment pool, and a timer queue per time domain (deduplicated per key, window and time) that fires as
/// the test advances the watermark or the processing time. Outputs and side outputs are recorded.
/// </summary>
internal sealed class WindowHarness<TIn, TOut, W> : IWindowOperatorContext<int, W, TOut>, IDisposable
    where W : IWindow
{
    private readonly MemorySegmentPool _pool = new(1L << 22, 4096, "managed");
    private readonly BinaryKeyedStateBackend<int> _backend;
    private readonly TimerQueue _eventTimers = new();
    private readonly TimerQueue _processingTimers = new();
    private readonly IWindowOperator<int, TIn, TOut, W>? _operator;

    public WindowHarness(IWindowOperator<int, TIn, TOut, W> windowOperator, SerializerRegistry? serializers = null)
        : this(serializers)
    {
        _operator = windowOperator;
        windowOperator.Open(this);
    }

    /// <summary>A context without an operator, for driving triggers directly (timers are recorded, not fired).</summary>
    public WindowHarness(SerializerRegistry? serializers = null)
    {
        _backend = new BinaryKeyedStateBackend<int>("window-test", new KeyGroupRange(0, 127), 128, _pool, serializers ?? new SerializerRegistry());
    }

    public IWindowOperator<int, TIn, TOut, W> Operator => _operator ?? throw new InvalidOperationException("this harness drives no operator");

    public List<(TOut Value, long Timestamp)> Output { get; } = [];

    public List<(string Tag, object? Value, long Timestamp)> SideOutput { get; } = [];

    public IKeyedStateBackend<int> KeyedStateBackend => _backend;

    public long CurrentWatermark { get; private set; } = long.MinValue;

    public long CurrentProcessingTime { get; private set; }

    public long StateEntries => _backend.EntryCount;

    public int PendingTimers => _eventTimers.Count + _processingTimers.Count;

    public int PendingEventTimers => _eventTimers.Count;

    public int PendingProcessingTimers => _processingTimers.Count;

    public bool HasEventTimer(int key, W window, long time) => _eventTimers.Contains((key, window, time));

    public bool HasProcessingTimer(int key, W window, long time) => _processingTimers.Contains((key, window, time));

    /// <summary>Moves the clocks without firing timers (trigger tests call the trigger themselves).</summary>
    public void SetTime(long watermark, long processingTime)
    {
        CurrentWatermark = watermark;
        CurrentProcessingTime = processingTime;
    }

    /// <summary>Makes <paramref name="key"/> current, as the task does, and hands the element to the operator.</summary>
    public void ProcessElement(int key, TIn element, long timestamp)
    {
        _backend.SetCurrentKey(key);
        Operator.ProcessElement(key, element, timestamp);
    }

    /// <summary>Sets the watermark (if it advances) and fires every event-time timer at or before it, in time order.</summary>
    public void AdvanceWatermark(long watermark)
    {
        if (watermark <= CurrentWatermark)
        {
            return;
        }
        CurrentWatermark = watermark;
        while (_eventTimers.TryPop(watermark, out var timer))
        {
            _backend.SetCurrentKey(timer.Key);
            Operator.OnEventTime(timer.Key, timer.Window, timer.Time);
        }
    }

    /// <summary>Sets the processing time (if it advances) and fires every processing-time timer due by then.</summary>
    public void AdvanceProcessingTime(long time)
    {
        if (time < CurrentProcessingTime)
        {
            throw new InvalidOperationException("processing time must not go back");
        }
        CurrentProcessingTime = time;
        while (_processingTimers.TryPop(time, out var timer))
        {
            _backend.SetCurrentKey(timer.Key);
            Operator.OnProcessingTime(timer.Key, timer.Window, timer.Time);
        }
    }

    public void RegisterEventTimeTimer(W window, long time) => _eventTimers.Add((_backend.CurrentKey, window, time));

    public void DeleteEventTimeTimer(W window, long time) => _eventTimers.Remove((_backend.CurrentKey, window, time));

    public void RegisterProcessingTimeTimer(W window, long time) => _processingTimers.Add((_backend.CurrentKey, window, time));

    public void DeleteProcessingTimeTimer(W window, long time) => _processingTimers.Remove((_backend.CurrentKey, window, time));

    public void Emit(TOut record, long timestamp) => Output.Add((record, timestamp));

    public void EmitSide<TSide>(OutputTag<TSide> tag, TSide record, long timestamp) => SideOutput.Add((tag.Id, record, timestamp));

    public void Dispose() => _backend.Dispose();

    private sealed class TimerQueue
    {
        private readonly HashSet<(int Key, W Window, long Time)> _live = [];
        private readonly PriorityQueue<(int Key, W Window, long Time), long> _queue = new();

        public int Count => _live.Count;

        public bool Contains((int Key, W Window, long Time) timer) => _live.Contains(timer);

        public void Add((int Key, W Window, long Time) timer)
        {
            if (_live.Add(timer))
            {
                _queue.Enqueue(timer, timer.Time);
            }
        }

        public void Remove((int Key, W Window, long Time) timer) => _live.Remove(timer);

        public bool TryPop(long upTo, out (int Key, W Window, long Time) timer)
        {
            while (_queue.TryPeek(out timer, out long time) && time <= upTo)
            {
                _queue.Dequeue();
                if (_live.Remove(timer))
                {
                    return true;
                }
            }
            timer = default;
            return false;
        }
    }
}
