using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Time;

/// <summary>
/// The timer services of one keyed operator, by name (Flink's InternalTimeServiceManager). The operator calls
/// <see cref="AdvanceWatermark"/> with every new watermark before forwarding it; a window operator asks for
/// its service with <see cref="GetTimerService{TNamespace}"/> in Open, with its window type as the namespace.
/// </summary>
internal sealed class TimeServiceManager<TKey>(IKeyedStateBackend<TKey> keyContext, ProcessingTimeService processingTime)
{
    private readonly List<IInternalTimerService> _services = new();

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
        var service = new InternalTimerService<TKey, TNamespace>(name, keyContext, processingTime, namespaceSerializer, target);
        _services.Add(service);
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
}
