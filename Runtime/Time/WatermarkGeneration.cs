using DataflowCompiler.Operators;

namespace DataflowCompiler.Time;

/// <summary>
/// What a source with a watermark strategy, or a timestamp assigner operator, runs for one subtask: the
/// strategy's timestamp assigner and generator, the output that turns generated watermarks into events, and the
/// periodic emission, a processing-time timer of the task re-armed every auto-watermark interval.
/// </summary>
internal sealed class WatermarkGeneration<T>
{
    private readonly Func<T, long, long>? _assigner;
    private readonly IWatermarkGenerator<T> _generator;
    private readonly WatermarkEmitter _emitter;
    private readonly ProcessingTimeService _processingTime;
    private readonly long _intervalMillis;
    private readonly Action<Action> _guard;
    private readonly Action<long> _onPeriodic;
    private readonly Action _periodicEmit;
    private ProcessingTimeService.ScheduledTimer? _periodic;

    /// <param name="guard">Runs user code and turns its failures into operator failures.</param>
    public WatermarkGeneration(WatermarkStrategy<T> strategy, TaskTimeServices time, string operatorName, int subtaskIndex,
        IEventOutput output, Action<Action> guard)
    {
        var context = new WatermarkGeneratorContext(time.TimeProvider, operatorName, subtaskIndex);
        _assigner = strategy.CreateTimestampAssigner(context);
        _generator = strategy.CreateWatermarkGenerator(context);
        _emitter = new WatermarkEmitter(output);
        _processingTime = time.ProcessingTime;
        _intervalMillis = (long)time.AutoWatermarkInterval.TotalMilliseconds;
        _guard = guard;
        _onPeriodic = OnPeriodic;
        _periodicEmit = () => _generator.OnPeriodicEmit(_emitter);
    }

    /// <summary>The last watermark emitted.</summary>
    public long CurrentWatermark => _emitter.CurrentWatermark;

    /// <summary>The record's timestamp: the assigner's, or the one it has.</summary>
    public long ExtractTimestamp(T record, long previous) => _assigner is null ? previous : _assigner(record, previous);

    /// <summary>After the record was emitted: lets the generator see it (a punctuated one may emit a watermark).</summary>
    public void OnEvent(T record, long timestamp) => _generator.OnEvent(record, timestamp, _emitter);

    /// <summary>Starts periodic emission (no-op when the interval is zero).</summary>
    public void Start() => Schedule();

    /// <summary>End of input: emits the final <see cref="Watermark.MaxValue"/> and stops periodic emission.</summary>
    public void EmitFinalWatermark()
    {
        Stop();
        _emitter.EmitWatermark(long.MaxValue);
    }

    /// <summary>Forwards an upstream end-of-time watermark (an assigner ignores every other upstream watermark).</summary>
    public void EmitWatermark(long timestamp) => _emitter.EmitWatermark(timestamp);

    public void Stop()
    {
        _periodic?.Cancel();
        _periodic = null;
    }

    private void Schedule()
    {
        if (_intervalMillis > 0)
        {
            _periodic = _processingTime.RegisterTimer(_processingTime.CurrentProcessingTime + _intervalMillis, _onPeriodic);
        }
    }

    private void OnPeriodic(long time)
    {
        _periodic = null;
        _guard(_periodicEmit);
        Schedule();
    }
}
