using DataflowCompiler.Functions;
using DataflowCompiler.State;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Operators;

/// <summary>
/// Flink's IntervalJoinOperator: joins a left element at time t with every right element of the same key in
/// [t + lower, t + upper] (bounds made inclusive here). Both sides are buffered in map state keyed by timestamp
/// (a list per timestamp); each element is joined with the other side's buffer on arrival, so every pair is
/// emitted exactly once, by whichever element arrives second. An event-time timer per buffered timestamp removes
/// the bucket once no future element of the other side can match it. Elements behind the watermark are late:
/// dropped and counted.
/// </summary>
internal sealed class IntervalJoinOperator<TKey, T1, T2, TOut> : TwoInputOperator<T1, T2, TOut>, ITimerTarget<TKey, byte>
{
    private const byte Left = 1;
    private const byte Right = 2;

    private readonly ProcessJoinFunction<T1, T2, TOut> _function;
    private readonly Func<T1, TKey> _key1;
    private readonly Func<T2, TKey> _key2;
    private readonly long _lowerBound;
    private readonly long _upperBound;
    private readonly JoinContext _context;
    private readonly WindowStateProbe? _probe;
    private IKeyedStateBackend<TKey> _backend = null!;
    private TimeServiceManager<TKey> _timeServices = null!;
    private InternalTimerService<TKey, byte> _timers = null!;
    private IMapState<long, List<T1>> _leftBuffer = null!;
    private IMapState<long, List<T2>> _rightBuffer = null!;
    private readonly List<(long Timestamp, T1 Element)> _leftMatches = [];
    private readonly List<(long Timestamp, T2 Element)> _rightMatches = [];

    public IntervalJoinOperator(ProcessJoinFunction<T1, T2, TOut> function, Func<T1, TKey> key1, Func<T2, TKey> key2,
        long lowerBound, long upperBound, bool lowerInclusive, bool upperInclusive, WindowStateProbe? probe = null)
    {
        _probe = probe;
        _function = function;
        _key1 = key1;
        _key2 = key2;
        _lowerBound = lowerInclusive ? lowerBound : lowerBound + 1;
        _upperBound = upperInclusive ? upperBound : upperBound - 1;
        _context = new JoinContext(this);
    }

    /// <summary>Elements that arrived behind the watermark and were dropped.</summary>
    public long NumLateRecordsDropped { get; private set; }

    protected override object? UserFunction => _function;

    protected override IKeyedStateStore? KeyedStateStore => _backend;

    public override void Open()
    {
        _backend = Context.CreateKeyedBackend<TKey>();
        _timeServices = Context.CreateTimeServices(_backend);
        _timers = _timeServices.GetTimerService("interval-join-cleanup", Context.Serializers.Get<byte>(), this);
        _leftBuffer = _backend.GetMapState(new MapStateDescriptor<long, List<T1>>("interval-join-left"));
        _rightBuffer = _backend.GetMapState(new MapStateDescriptor<long, List<T2>>("interval-join-right"));
        base.Open();
    }

    public override void ProcessElement1(T1 record)
    {
        RecordsIn++;
        try
        {
            _backend.SetCurrentKey(_key1(record));
            long timestamp = RequireTimestamp();
            if (IsLate(timestamp))
            {
                return;
            }
            Buffer(_leftBuffer, record, timestamp);
            _rightMatches.Clear();
            foreach (var (rightTimestamp, bucket) in _rightBuffer.Entries())
            {
                if (rightTimestamp >= timestamp + _lowerBound && rightTimestamp <= timestamp + _upperBound)
                {
                    foreach (var right in bucket)
                    {
                        _rightMatches.Add((rightTimestamp, right));
                    }
                }
            }
            // Collected first: the function must not run while the state iterator is open.
            foreach (var (rightTimestamp, right) in _rightMatches)
            {
                Collect(record, right, timestamp, rightTimestamp);
            }
            // The last right element that can match this one is at timestamp + upper.
            _timers.RegisterEventTimeTimer(Left, _upperBound > 0 ? timestamp + _upperBound : timestamp);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    public override void ProcessElement2(T2 record)
    {
        RecordsIn++;
        try
        {
            _backend.SetCurrentKey(_key2(record));
            long timestamp = RequireTimestamp();
            if (IsLate(timestamp))
            {
                return;
            }
            Buffer(_rightBuffer, record, timestamp);
            _leftMatches.Clear();
            foreach (var (leftTimestamp, bucket) in _leftBuffer.Entries())
            {
                // A left element at l matches r when l + lower <= r <= l + upper, i.e. r - upper <= l <= r - lower.
                if (leftTimestamp >= timestamp - _upperBound && leftTimestamp <= timestamp - _lowerBound)
                {
                    foreach (var left in bucket)
                    {
                        _leftMatches.Add((leftTimestamp, left));
                    }
                }
            }
            foreach (var (leftTimestamp, left) in _leftMatches)
            {
                Collect(left, record, leftTimestamp, timestamp);
            }
            // The last left element that can match this one is at timestamp - lower.
            _timers.RegisterEventTimeTimer(Right, _lowerBound <= 0 ? timestamp - _lowerBound : timestamp);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    private long RequireTimestamp()
    {
        long timestamp = RecordTimestamp.Value;
        if (timestamp == Time.RecordTimestamp.None)
        {
            throw new InvalidOperationException(
                $"Interval join '{Name}' got a record without timestamp. Both inputs need event timestamps: give the sources " +
                "a WatermarkStrategy or call AssignTimestampsAndWatermarks before the join.");
        }
        return timestamp;
    }

    private bool IsLate(long timestamp)
    {
        if (timestamp < CurrentWatermark)
        {
            NumLateRecordsDropped++;
            return true;
        }
        return false;
    }

    private static void Buffer<T>(IMapState<long, List<T>> buffer, T record, long timestamp)
    {
        if (!buffer.TryGet(timestamp, out var bucket))
        {
            bucket = [];
        }
        bucket.Add(record);
        buffer.Put(timestamp, bucket);
    }

    private void Collect(T1 left, T2 right, long leftTimestamp, long rightTimestamp)
    {
        long timestamp = Math.Max(leftTimestamp, rightTimestamp);
        long previous = RecordTimestamp.Value;
        RecordTimestamp.Value = timestamp;
        _context.Set(leftTimestamp, rightTimestamp, timestamp);
        _function.ProcessElement(left, right, _context, Output);
        RecordTimestamp.Value = previous;
    }

    protected override void OnWatermark(long watermark)
    {
        try
        {
            _timeServices.AdvanceWatermark(watermark);
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
        finally
        {
            RecordTimestamp.Value = RecordTimestamp.None;
        }
    }

    public void OnEventTime(in InternalTimer<TKey, byte> timer)
    {
        // Undo the cleanup-time computation of ProcessElement1/2 to find the bucket's timestamp.
        if (timer.Namespace == Left)
        {
            _leftBuffer.Remove(_upperBound > 0 ? timer.Timestamp - _upperBound : timer.Timestamp);
        }
        else
        {
            _rightBuffer.Remove(_lowerBound <= 0 ? timer.Timestamp + _lowerBound : timer.Timestamp);
        }
    }

    public void OnProcessingTime(in InternalTimer<TKey, byte> timer) =>
        throw new InvalidOperationException($"Interval join '{Name}' registers no processing-time timers.");

    public override void Finish()
    {
        base.Finish();
        // Test hook: after the final watermark every bucket and timer must be gone.
        _probe?.Report(Context.SubtaskIndex, _backend.EntryCount,
            _timers.EventTimeTimerCount, _timers.ProcessingTimeTimerCount, NumLateRecordsDropped);
    }

    public override void Close()
    {
        try
        {
            if (_timers is not null)
            {
                Context.GetCounter($"{Name}.numLateRecordsDropped").Add(NumLateRecordsDropped);
            }
            base.Close();
        }
        finally
        {
            _backend?.Dispose();
        }
    }

    private sealed class JoinContext(IntervalJoinOperator<TKey, T1, T2, TOut> op) : ProcessJoinFunction<T1, T2, TOut>.Context
    {
        private long _left;
        private long _right;
        private long _timestamp;

        public void Set(long left, long right, long timestamp)
        {
            _left = left;
            _right = right;
            _timestamp = timestamp;
        }

        public override long LeftTimestamp => _left;

        public override long RightTimestamp => _right;

        public override long Timestamp => _timestamp;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => op.Output.CollectSide(tag, value);
    }
}
