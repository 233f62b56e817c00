using DataflowCompiler.Operators;

namespace DataflowCompiler.Time;

/// <summary>
/// Turns what a watermark generator emits into in-band events on an operator output: only advancing
/// watermarks pass (never backwards), idleness changes are sent once, and a watermark after idleness first
/// marks the output active (Flink's WatermarkToDataOutput).
/// </summary>
internal sealed class WatermarkEmitter(IEventOutput target) : IWatermarkOutput
{
    private long _current = long.MinValue;
    private bool _idle;

    /// <summary>The last watermark emitted.</summary>
    public long CurrentWatermark => _current;

    public void EmitWatermark(long timestamp)
    {
        if (timestamp <= _current)
        {
            return;
        }
        _current = timestamp;
        MarkActive();
        target.EmitWatermark(timestamp == long.MaxValue ? Watermark.MaxValue : new Watermark(timestamp));
    }

    public void MarkIdle()
    {
        if (!_idle)
        {
            _idle = true;
            target.EmitWatermarkStatus(WatermarkStatus.Idle);
        }
    }

    public void MarkActive()
    {
        if (_idle)
        {
            _idle = false;
            target.EmitWatermarkStatus(WatermarkStatus.Active);
        }
    }
}
