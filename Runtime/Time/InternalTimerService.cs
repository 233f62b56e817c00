using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Time;

/// <summary>
/// The timers of a keyed operator for one purpose (Flink's InternalTimerService): per key and namespace,
/// at most one timer per timestamp and time domain. Timers are registered for the current key of the keyed
/// state backend; when one fires, its key becomes the current key (so the target reads that key's state) and
/// the target is called on the task thread. Event-time timers fire in timestamp order when
/// <see cref="AdvanceWatermark"/> is called, which the operator does before it forwards the watermark.
/// Processing-time timers fire through the task's <see cref="ProcessingTimeService"/>; one physical timer is
/// scheduled for the earliest timer only. Window operators use one service with their window as the namespace.
/// </summary>
/// <remarks>
/// Timers are state: <see cref="EventTimeTimers"/> and <see cref="ProcessingTimeTimers"/> list them with their
/// key groups for a snapshot, and <see cref="RestoreEventTimeTimer"/>/<see cref="RestoreProcessingTimeTimer"/> put them back.
/// </remarks>
internal sealed class InternalTimerService<TKey, TNamespace> : IInternalTimerService
{
    private readonly IKeyedStateBackend<TKey> _keyContext;
    private readonly ProcessingTimeService _processingTime;
    private readonly ITimerTarget<TKey, TNamespace> _target;
    private readonly TimerHeap<TKey, TNamespace> _eventTimers = new();
    private readonly TimerHeap<TKey, TNamespace> _processingTimers = new();
    private readonly Action<long> _onProcessingTime;
    private ProcessingTimeService.ScheduledTimer? _nextProcessingTimer;
    private readonly IRecordSerializer<TKey>? _keySerializer;
    private readonly DataOutputSerializer _scratch = new(64);

    public InternalTimerService(string name, IKeyedStateBackend<TKey> keyContext, ProcessingTimeService processingTime,
        IRecordSerializer<TNamespace> namespaceSerializer, ITimerTarget<TKey, TNamespace> target, IRecordSerializer<TKey>? keySerializer = null)
    {
        Name = name;
        _keySerializer = keySerializer;
        _keyContext = keyContext;
        _processingTime = processingTime;
        NamespaceSerializer = namespaceSerializer;
        _target = target;
        _onProcessingTime = OnProcessingTime;
    }

    public string Name { get; }

    /// <summary>How namespaces are written in snapshots.</summary>
    public IRecordSerializer<TNamespace> NamespaceSerializer { get; }

    /// <summary>The last watermark this service advanced to.</summary>
    public long CurrentWatermark { get; private set; } = long.MinValue;

    public long CurrentProcessingTime => _processingTime.CurrentProcessingTime;

    public int EventTimeTimerCount => _eventTimers.Count;

    public int ProcessingTimeTimerCount => _processingTimers.Count;

    public IEnumerable<InternalTimer<TKey, TNamespace>> EventTimeTimers => _eventTimers.Timers;

    public IEnumerable<InternalTimer<TKey, TNamespace>> ProcessingTimeTimers => _processingTimers.Timers;

    /// <summary>Registers an event-time timer for the current key; a second registration of the same timer does nothing.</summary>
    public void RegisterEventTimeTimer(TNamespace ns, long time) => _eventTimers.Add(Timer(ns, time));

    public void DeleteEventTimeTimer(TNamespace ns, long time) => _eventTimers.Remove(Timer(ns, time));

    /// <summary>Registers a processing-time timer for the current key; a second registration of the same timer does nothing.</summary>
    public void RegisterProcessingTimeTimer(TNamespace ns, long time) => AddProcessingTimer(Timer(ns, time));

    public void DeleteProcessingTimeTimer(TNamespace ns, long time) => _processingTimers.Remove(Timer(ns, time));

    public void RestoreEventTimeTimer(in InternalTimer<TKey, TNamespace> timer) => _eventTimers.Add(timer);

    public void RestoreProcessingTimeTimer(in InternalTimer<TKey, TNamespace> timer) => AddProcessingTimer(timer);

    public void AdvanceWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        // A timer registered while firing at or below the watermark fires in this same loop.
        while (_eventTimers.TryPollDue(watermark, out var timer))
        {
            _keyContext.SetCurrentKey(timer.Key);
            _target.OnEventTime(timer);
        }
    }

    public void WriteTimers(SnapshotWriter output)
    {
        var keySerializer = KeySerializerForSnapshots();
        foreach (var heap in (ReadOnlySpan<TimerHeap<TKey, TNamespace>>)[_eventTimers, _processingTimers])
        {
            output.WriteInt32(heap.Count);
            foreach (var timer in heap.Timers)
            {
                output.WriteInt32(timer.KeyGroup);
                _scratch.Clear();
                keySerializer.Serialize(timer.Key, _scratch);
                output.WriteInt32(_scratch.Length);
                output.WriteBytes(_scratch.WrittenSpan);
                _scratch.Clear();
                NamespaceSerializer.Serialize(timer.Namespace, _scratch);
                output.WriteInt32(_scratch.Length);
                output.WriteBytes(_scratch.WrittenSpan);
                output.WriteInt64(timer.Timestamp);
            }
        }
    }

    public void RestoreTimer(TimeDomain domain, int keyGroup, ReadOnlySpan<byte> key, ReadOnlySpan<byte> ns, long timestamp)
    {
        var keyInput = new DataInputView(key);
        var nsInput = new DataInputView(ns);
        var timer = new InternalTimer<TKey, TNamespace>(
            timestamp, KeySerializerForSnapshots().Deserialize(ref keyInput), NamespaceSerializer.Deserialize(ref nsInput), keyGroup);
        if (domain == TimeDomain.EventTime)
        {
            RestoreEventTimeTimer(timer);
        }
        else
        {
            RestoreProcessingTimeTimer(timer);
        }
    }

    private IRecordSerializer<TKey> KeySerializerForSnapshots() =>
        _keySerializer ?? throw new InvalidOperationException(
            $"timer service '{Name}' has no key serializer, so its timers cannot be snapshotted or restored; create it with one.");

    private InternalTimer<TKey, TNamespace> Timer(TNamespace ns, long time) =>
        new(time, _keyContext.CurrentKey, ns, _keyContext.CurrentKeyGroup);

    private void AddProcessingTimer(in InternalTimer<TKey, TNamespace> timer)
    {
        long oldHead = _processingTimers.TryPeek(out var head) ? head.Timestamp : long.MaxValue;
        if (_processingTimers.Add(timer) && timer.Timestamp < oldHead)
        {
            _nextProcessingTimer?.Cancel();
            _nextProcessingTimer = _processingTime.RegisterTimer(timer.Timestamp, _onProcessingTime);
        }
    }

    private void OnProcessingTime(long time)
    {
        _nextProcessingTimer = null;
        while (_processingTimers.TryPollDue(time, out var timer))
        {
            _keyContext.SetCurrentKey(timer.Key);
            _target.OnProcessingTime(timer);
        }
        if (_nextProcessingTimer is null && _processingTimers.TryPeek(out var next))
        {
            _nextProcessingTimer = _processingTime.RegisterTimer(next.Timestamp, _onProcessingTime);
        }
    }
}
