using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>
/// A custom generator: the bounded-out-of-orderness watermark (max − bound − 1), emitted after every record instead
/// of periodically, so a job's watermarks do not depend on the wall clock.
/// </summary>
internal sealed class PunctuatedBoundedGenerator<T>(long bound) : IWatermarkGenerator<T>
{
    private long _max = long.MinValue;

    public void OnEvent(T record, long eventTimestamp, IWatermarkOutput output)
    {
        _max = Math.Max(_max, eventTimestamp);
        output.EmitWatermark(_max - bound - 1);
    }

    public void OnPeriodicEmit(IWatermarkOutput output) { }
}
