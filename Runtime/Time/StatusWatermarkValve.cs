using DataflowCompiler.Operators;

namespace DataflowCompiler.Time;

/// <summary>
/// Combines the watermarks and statuses of the channels of one operator input into one watermark stream
/// (Flink's StatusWatermarkValve). It keeps a watermark per channel and outputs the minimum over the active
/// channels that are aligned (caught up with the last output), only when it advances, so the output never
/// goes backwards. An idle channel is left out of the minimum; when every channel is idle the valve first
/// outputs the largest channel watermark (if that advances) and then goes idle; a channel becoming active
/// again makes the output active, and that channel rejoins the minimum once its watermark catches up.
/// </summary>
internal sealed class StatusWatermarkValve
{
    private readonly IWatermarkInput _output;
    private readonly long[] _watermarks;
    private readonly bool[] _idle;
    private readonly bool[] _aligned;
    private long _lastOutput = long.MinValue;
    private bool _outputIdle;

    public StatusWatermarkValve(int numberOfChannels, IWatermarkInput output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfChannels, 1);
        _output = output;
        _watermarks = new long[numberOfChannels];
        Array.Fill(_watermarks, long.MinValue);
        _idle = new bool[numberOfChannels];
        _aligned = new bool[numberOfChannels];
        Array.Fill(_aligned, true);
    }

    /// <summary>The last watermark output.</summary>
    public long LastOutputWatermark => _lastOutput;

    /// <summary>True while every channel is idle.</summary>
    public bool IsIdle => _outputIdle;

    public void InputWatermark(Watermark watermark, int channel)
    {
        // Watermarks of an idle channel are ignored (the channel becomes active with its status event first).
        if (_outputIdle || _idle[channel])
        {
            return;
        }
        long timestamp = watermark.Timestamp;
        if (timestamp <= _watermarks[channel])
        {
            return;
        }
        _watermarks[channel] = timestamp;
        if (!_aligned[channel] && timestamp >= _lastOutput)
        {
            _aligned[channel] = true;
        }
        OutputMinimumOfAlignedChannels(watermark);
    }

    public void InputWatermarkStatus(WatermarkStatus status, int channel)
    {
        if (status.IsIdle && !_idle[channel])
        {
            _idle[channel] = true;
            _aligned[channel] = false;
            if (!AnyActive())
            {
                OutputMaximumOfAllChannels();
                _outputIdle = true;
                _output.ProcessWatermarkStatus(WatermarkStatus.Idle);
            }
            else if (_watermarks[channel] == _lastOutput)
            {
                // The channel may have held the minimum back.
                OutputMinimumOfAlignedChannels(null);
            }
        }
        else if (status.IsActive && _idle[channel])
        {
            _idle[channel] = false;
            if (_watermarks[channel] >= _lastOutput)
            {
                _aligned[channel] = true;
            }
            if (_outputIdle)
            {
                _outputIdle = false;
                _output.ProcessWatermarkStatus(WatermarkStatus.Active);
            }
        }
    }

    private bool AnyActive()
    {
        foreach (bool idle in _idle)
        {
            if (!idle)
            {
                return true;
            }
        }
        return false;
    }

    private void OutputMinimumOfAlignedChannels(Watermark? candidate)
    {
        long min = long.MaxValue;
        bool any = false;
        for (int i = 0; i < _watermarks.Length; i++)
        {
            if (_aligned[i] && !_idle[i])
            {
                any = true;
                min = Math.Min(min, _watermarks[i]);
            }
        }
        if (any && min > _lastOutput)
        {
            _lastOutput = min;
            _output.ProcessWatermark(candidate is not null && candidate.Timestamp == min ? candidate : new Watermark(min));
        }
    }

    private void OutputMaximumOfAllChannels()
    {
        long max = long.MinValue;
        foreach (long watermark in _watermarks)
        {
            max = Math.Max(max, watermark);
        }
        if (max > _lastOutput)
        {
            _lastOutput = max;
            _output.ProcessWatermark(new Watermark(max));
        }
    }
}
