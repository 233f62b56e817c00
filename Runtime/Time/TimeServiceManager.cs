using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Time;

/// <summary>
/// The timer services of one keyed operator, by name (Flink's InternalTimeServiceManager). The operator calls
/// <see cref="AdvanceWatermark"/> with every new watermark before forwarding it; a window operator asks for
/// its service with <see cref="GetTimerService{TNamespace}"/> in Open, with its window type as the namespace.
/// Timers are state: <see cref="WriteSnapshot"/> and <see cref="Restore"/> carry them through checkpoints.
/// </summary>
internal sealed class TimeServiceManager<TKey>(
    IKeyedStateBackend<TKey> keyContext, ProcessingTimeService processingTime, IRecordSerializer<TKey>? keySerializer = null) : Checkpointing.ITimerSnapshots
{
    private const int Magic = 0x53544644; // "DFTS"
    private const int FormatVersion = 1;

    private readonly List<IInternalTimerService> _services = new();

    // Restored timers of services not created yet, by service name; applied when the service is created.
    private readonly Dictionary<string, HashSet<RestoredTimer>> _restored = new(StringComparer.Ordinal);

    private readonly IRecordSerializer<TKey>? _keySerializer = keySerializer ?? (keyContext as BinaryKeyedStateBackend<TKey>)?.KeySerializer;

    /// <summary>The last watermark the operator advanced to.</summary>
    public long CurrentWatermark { get; private set; } = long.MinValue;

    public long CurrentProcessingTime => processingTime.CurrentProcessingTime;

    /// <summary>The services in creation order (for snapshots).</summary>
    public IReadOnlyList<IInternalTimerService> Services => _services;

    /// <summary>The service named <paramref name="name"/>, created on first use; timers fire into <paramref name="target"/>.</summary>
    public InternalTimerService<TKey, TNamespace> GetTimerService<TNamespace>(string name, IRecordSerializer<TNamespace> namespaceSerializer,
        ITimerTarget<TKey, TNamespace> target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var existing in _services)
        {
            if (existing.Name == name)
            {
                return existing as InternalTimerService<TKey, TNamespace> ?? throw new InvalidOperationException(
                    $"Timer service '{name}' exists with another namespace type than {typeof(TNamespace).Name}.");
            }
        }
        var service = new InternalTimerService<TKey, TNamespace>(name, keyContext, processingTime, namespaceSerializer, target, _keySerializer);
        _services.Add(service);
        if (_restored.Remove(name, out var timers))
        {
            foreach (var timer in timers)
            {
                service.RestoreTimer(timer.Domain, timer.KeyGroup, timer.Key, timer.Namespace, timer.Timestamp);
            }
        }
        if (CurrentWatermark != long.MinValue)
        {
            service.AdvanceWatermark(CurrentWatermark);
        }
        return service;
    }

    /// <summary>Fires the due event-time timers of every service, in timestamp order within each service.</summary>
    public void AdvanceWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        foreach (var service in _services)
        {
            service.AdvanceWatermark(watermark);
        }
    }

    /// <summary>
    /// Writes every timer of every service (task thread; timers are few, so this is the synchronous phase). Format,
    /// little-endian: <c>"DFTS" version serviceCount</c>, per service <c>name</c> then, for event time and then
    /// processing time, <c>count</c> and per timer <c>keyGroup keyLen key nsLen ns timestamp</c>; trailer "DFTS".
    /// Timers restored but not yet claimed by a service are written too.
    /// </summary>
    public void WriteSnapshot(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new SnapshotWriter(output);
        writer.WriteInt32(Magic);
        writer.WriteInt32(FormatVersion);
        writer.WriteInt32(_services.Count + _restored.Count);
        foreach (var service in _services)
        {
            writer.WriteString(service.Name);
            service.WriteTimers(writer);
        }
        foreach (var (name, timers) in _restored)
        {
            writer.WriteString(name);
            foreach (var domain in (ReadOnlySpan<TimeDomain>)[TimeDomain.EventTime, TimeDomain.ProcessingTime])
            {
                writer.WriteInt32(timers.Count(t => t.Domain == domain));
                foreach (var timer in timers.Where(t => t.Domain == domain))
                {
                    writer.WriteInt32(timer.KeyGroup);
                    writer.WriteInt32(timer.Key.Length);
                    writer.WriteBytes(timer.Key);
                    writer.WriteInt32(timer.Namespace.Length);
                    writer.WriteBytes(timer.Namespace);
                    writer.WriteInt64(timer.Timestamp);
                }
            }
        }
        writer.WriteInt32(Magic);
    }

    /// <summary>
    /// Adds the timers of <paramref name="input"/> (one old subtask's <see cref="WriteSnapshot"/>) whose key group lies in
    /// <paramref name="keyGroups"/>; call once per old subtask when rescaling. Equal timers become one.
    /// </summary>
    public void Restore(Stream input, KeyGroupRange keyGroups)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new SnapshotReader(input);
        if (reader.ReadInt32() != Magic || reader.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException($"not a timer snapshot of format {FormatVersion}.");
        }
        int serviceCount = reader.ReadLength();
        for (int s = 0; s < serviceCount; s++)
        {
            string name = reader.ReadString();
            var service = _services.Find(x => x.Name == name);
            foreach (var domain in (ReadOnlySpan<TimeDomain>)[TimeDomain.EventTime, TimeDomain.ProcessingTime])
            {
                int count = reader.ReadLength();
                for (int i = 0; i < count; i++)
                {
                    int keyGroup = reader.ReadInt32();
                    int keyLength = reader.ReadLength();
                    reader.ReadBytes(keyLength);
                    int nsLength = reader.ReadLength();
                    var bytes = reader.ReadBytes(nsLength, keep: keyLength);
                    long timestamp = reader.ReadInt64();
                    if (!keyGroups.Contains(keyGroup))
                    {
                        continue;
                    }
                    if (service is not null)
                    {
                        service.RestoreTimer(domain, keyGroup, bytes[..keyLength], bytes[keyLength..], timestamp);
                    }
                    else
                    {
                        if (!_restored.TryGetValue(name, out var pending))
                        {
                            _restored[name] = pending = new HashSet<RestoredTimer>();
                        }
                        pending.Add(new RestoredTimer(domain, keyGroup, bytes[..keyLength].ToArray(), bytes[keyLength..].ToArray(), timestamp));
                    }
                }
            }
        }
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException("the timer snapshot does not end where it should (corrupt).");
        }
    }

    /// <summary>A timer in serialized form; equal bytes are one timer.</summary>
    private sealed record RestoredTimer(TimeDomain Domain, int KeyGroup, byte[] Key, byte[] Namespace, long Timestamp)
    {
        public bool Equals(RestoredTimer? other) =>
            other is not null && Domain == other.Domain && Timestamp == other.Timestamp && Key.AsSpan().SequenceEqual(other.Key)
            && Namespace.AsSpan().SequenceEqual(other.Namespace);

        public override int GetHashCode() => HashCode.Combine(Domain, Timestamp, KeyGroup, Key.Length, Namespace.Length);
    }
}
