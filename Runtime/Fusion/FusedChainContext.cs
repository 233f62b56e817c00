using DataflowCompiler.Functions;
using DataflowCompiler.Graph;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Sinks;
using DataflowCompiler.Sources;
using DataflowCompiler.State;
using DataflowCompiler.Time;

namespace DataflowCompiler.Fusion;

/// <summary>
/// What the task gives a fused chain: the subtask it runs in and everything the interpreted operators would
/// have got — the user objects of the chain's operators (by position in the chain, head = 0), source readers,
/// sink writers, record writers for the edges leaving the chain (by position), keyed state backends, runtime
/// contexts for rich functions, and errors named exactly as the interpreted path names them.
/// </summary>
public sealed class FusedChainContext
{
    private readonly JobVertex _vertex;
    private readonly IReadOnlyList<ResultPartition> _partitions;
    private readonly IReadOnlyList<(JobEdge Edge, int Channels)> _outputs;
    private readonly SerializerRegistry _serializers;
    private readonly MemorySegmentPool _managedMemory;
    private readonly Func<string, Counter> _counters;
    private readonly bool _flushAlways;
    private readonly List<Action> _flushes = new();
    private readonly IReadOnlyDictionary<string, Checkpointing.OperatorRestoreState>? _restore;
    private readonly Dictionary<int, Checkpointing.ISnapshotableKeyedBackend> _backends = new();
    private IPositionedReader? _positionedReader;
    private readonly bool _checkpointingEnabled;
    private readonly Dictionary<int, Checkpointing.CheckpointedFunctions> _hooks = new();
    private readonly List<Action> _stopWatermarks = new();
    private readonly int _eventTimeOperator;

    internal FusedChainContext(JobVertex vertex, int subtaskIndex, string taskName, IReadOnlyList<ResultPartition> partitions,
        IReadOnlyList<(JobEdge Edge, int Channels)> outputs, SerializerRegistry serializers, MemorySegmentPool managedMemory,
        Func<string, Counter> counters, bool flushAlways, CancellationToken cancellation,
        TaskTimeServices time, IReadOnlyDictionary<string, Checkpointing.OperatorRestoreState>? restore = null, bool checkpointingEnabled = false)
    {
        Time = time;
        _restore = restore;
        _checkpointingEnabled = checkpointingEnabled;
        _vertex = vertex;
        SubtaskIndex = subtaskIndex;
        TaskName = taskName;
        _partitions = partitions;
        _outputs = outputs;
        _serializers = serializers;
        _managedMemory = managedMemory;
        _counters = counters;
        _flushAlways = flushAlways;
        Cancellation = cancellation;
        // A window gives its results timestamps but keeps the event time of its input (it forwards the input's watermarks).
        _eventTimeOperator = vertex.Operators.ToList().FindLastIndex(o => o.AssignsTimestamps && o.FusionWindow is null);
    }

    /// <summary>The task's record timestamp, processing-time service and watermark interval.</summary>
    internal TaskTimeServices Time { get; }

    /// <summary>Where the watermarks and statuses of the chain's event-time operator go: the fused operator, which forwards them.</summary>
    internal IEventOutput EventTarget { get; set; } = DiscardingEventOutput.Instance;

    /// <summary>
    /// The watermark generation that defines the event time of the chain's output: the last operator of the chain that
    /// assigns timestamps, once its fused code created it (<see cref="CreateWatermarks{T}"/>); null when none does.
    /// </summary>
    internal IFinalWatermark? EventTimeAssigner { get; private set; }

    /// <summary>
    /// Whether an operator after the chain's head assigns timestamps: then it defines event time from there on and the
    /// watermarks of the chain's input are dropped, except the final one, as the interpreted assigner drops them.
    /// </summary>
    internal bool AssignsAfterHead => _eventTimeOperator > 0 || _eventTimeOperator == 0 && !_vertex.Head.IsSource;

    /// <summary>Stops the periodic watermark emission of every strategy the chain created.</summary>
    internal void StopWatermarks()
    {
        foreach (var stop in _stopWatermarks)
        {
            stop();
        }
    }

    /// <summary>0-based index of this subtask.</summary>
    public int SubtaskIndex { get; }

    /// <summary>Parallelism of the chain.</summary>
    public int Parallelism => _vertex.Parallelism;

    /// <summary>"Name (i/p)", as the interpreted chain names its task.</summary>
    public string TaskName { get; }

    /// <summary>Cancelled when the job is cancelled or fails.</summary>
    public CancellationToken Cancellation { get; }

    internal Action SignalAvailable { get; set; } = static () => { };

    internal List<Action> Flushes => _flushes;

    /// <summary>
    /// What a process function in a fused chain sees as its timer service: the current processing time of the
    /// task's clock and the chain's watermark. Fused chains hold no timers (chains whose functions use them run
    /// interpreted), so registering one fails with a message that says so.
    /// </summary>
    public ITimerService TimerService { get; internal set; } = FusedTimerService.Unavailable;

    /// <summary>The result partitions the chain writes to (watermarks and statuses are broadcast into each).</summary>
    internal IReadOnlyList<ResultPartition> Partitions => _partitions;

    /// <summary>The name of the chain's operator at <paramref name="op"/>.</summary>
    public string OperatorName(int op) => _vertex.Operators[op].Name;

    /// <summary>This subtask's copy of the function object of operator <paramref name="op"/> (a shallow copy per subtask, as interpreted).</summary>
    public T GetFunction<T>(int op) where T : class
    {
        var function = FunctionCopy.Of((T)State(op));
        HooksOf(op).Add(function, _backends.GetValueOrDefault(op) as IKeyedStateStore);
        return function;
    }

    /// <summary>
    /// The watermark strategy of operator <paramref name="op"/> (a source with a strategy or a timestamp assigner) for this
    /// subtask, with its periodic emission started. Its watermarks go downstream when the operator is the chain's last that
    /// assigns timestamps (a later one drops them, as interpreted); <paramref name="inputCount"/> names the record in errors.
    /// </summary>
    public FusedWatermarks<T> CreateWatermarks<T>(int op, Func<long> inputCount)
    {
        var strategy = State(op) switch
        {
            WatermarkedSource<T> source => source.Strategy,
            var state => (WatermarkStrategy<T>)state,
        };
        Action<Action> guard = action =>
        {
            try
            {
                action();
            }
            catch (Exception e) when (IsUserFailure(e))
            {
                throw Fail(op, inputCount(), e);
            }
        };
        WatermarkGeneration<T>? generation = null;
        guard(() => generation = new WatermarkGeneration<T>(strategy, Time, OperatorName(op), SubtaskIndex,
            op == _eventTimeOperator ? EventTarget : DiscardingEventOutput.Instance, guard));
        if (op == _eventTimeOperator)
        {
            EventTimeAssigner = new FinalWatermark<T>(generation!);
        }
        _stopWatermarks.Add(generation!.Stop);
        generation.Start();
        return new FusedWatermarks<T>(generation);
    }

    /// <summary>Creates this subtask's reader of the source operator <paramref name="op"/>.</summary>
    public ISourceReader<T> CreateSourceReader<T>(int op)
    {
        var source = State(op) switch
        {
            WatermarkedSource<T> watermarked => watermarked.Source,
            var state => (ISource<T>)state,
        };
        var reader = source.CreateReader(new SourceReaderContext(SubtaskIndex, Parallelism, TaskName, SignalAvailable, Cancellation));
        _positionedReader = reader as IPositionedReader;
        if (RestoredPosition(op) is { } position)
        {
            (_positionedReader ?? throw new InvalidOperationException($"source '{OperatorName(op)}' has a saved read position, but its reader cannot seek."))
                .Seek(position);
        }
        return reader;
    }

    /// <summary>This subtask's chunk of the <see cref="SequenceSource"/> of operator <paramref name="op"/>, as a struct cursor.</summary>
    public SequenceCursor CreateSequenceCursor(int op)
    {
        var source = (SequenceSource)State(op);
        var chunk = RangeCursor.ForSubtask(source.From, source.To, SubtaskIndex, Parallelism);
        var cursor = new SequenceCursor(chunk.First, chunk.Count);
        if (RestoredPosition(op) is { } position)
        {
            cursor.Seek(position);
        }
        return cursor;
    }

    /// <summary>Creates this subtask's writer of the sink operator <paramref name="op"/>.</summary>
    public ISinkWriter<T> CreateSinkWriter<T>(int op)
    {
        var sink = (ISink<T>)State(op);
        var writer = sink.CreateWriter(new SinkWriterContext(SubtaskIndex, Parallelism, TaskName));
        Checkpointing.SinkWriters.Prepare(writer, _checkpointingEnabled);
        HooksOf(op).Add(writer);
        return writer;
    }

    /// <summary>The record writer of the edge leaving the chain at position <paramref name="output"/>.</summary>
    public RecordWriter<T> CreateRecordWriter<T>(int output)
    {
        // An edge out of an operator whose records carry timestamps prefixes each record with the task's record timestamp.
        var serializer = _outputs[output].Edge.StreamEdge.Source.CarriesTimestamps
            ? new TimestampedRecordSerializer<T>(_serializers.Get<T>(), Time.RecordTimestamp)
            : _serializers.Get<T>();
        var writer = new RecordWriter<T>(_partitions[output], serializer, _flushAlways);
        _flushes.Add(writer.Flush);
        return writer;
    }

    /// <summary>How many downstream subtasks the edge at <paramref name="output"/> reaches from this subtask.</summary>
    public int NumberOfChannels(int output) => _outputs[output].Channels;

    /// <summary>The key-group routing of the KeyBy edge at <paramref name="output"/>.</summary>
    public KeyGroupChannelSelector<TKey> CreateKeyGroupSelector<TKey>(int output) =>
        new(_serializers.Get<TKey>(), _outputs[output].Edge.StreamEdge.Target.ResolvedMaxParallelism, _outputs[output].Channels);

    /// <summary>The keyed state backend of the keyed operator <paramref name="op"/>, over this subtask's key groups.</summary>
    public BinaryKeyedStateBackend<TKey> CreateKeyedBackend<TKey>(int op)
    {
        var node = _vertex.Operators[op];
        var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(node.ResolvedMaxParallelism, node.ResolvedParallelism, SubtaskIndex);
        var backend = new BinaryKeyedStateBackend<TKey>(node.Name, range, node.ResolvedMaxParallelism, _managedMemory, _serializers);
        if (RestoreOf(op) is { KeyedChains.Count: > 0 } restore)
        {
            ((Checkpointing.ISnapshotableKeyedBackend)backend).Restore(restore.KeyedChains);
        }
        _backends[op] = backend;
        return backend;
    }

    /// <summary>
    /// The slice table of the keyed window operator <paramref name="op"/> (the chain's head, fed by a KeyBy) over this subtask's key
    /// groups, folding with <paramref name="aggregator"/>: the state the interpreted <c>SliceTableWindowOperator</c> would keep, restored
    /// from and snapshotted into the same operator id and format. Only windows the registry let fuse get here (event-time tumbling or
    /// sliding, default trigger, no evictor, lateness or late-data side output, raw-byte keys).
    /// </summary>
    public FusedSliceWindow<TKey, TIn, TAcc, TAgg> CreateSliceWindow<TKey, TIn, TAcc, TAgg>(int op, TAgg aggregator)
        where TAgg : struct, IFusedWindowAggregator<TIn, TAcc>
    {
        var node = _vertex.Operators[op];
        var window = node.FusionWindow ?? throw new InvalidOperationException($"Operator {node.Description} is not a keyed window.");
        if (window.Refusal is { } refusal)
        {
            throw new InvalidOperationException($"Window operator {node.Description} cannot run fused: {refusal}.");
        }
        if (!_serializers.TryGet<TAcc>(out var accumulatorSerializer))
        {
            throw new SerializationException(
                $"operator '{node.Name}': no serializer for the window accumulator type '{typeof(TAcc).FullName}'. Register one with SerializerRegistry.Register<{typeof(TAcc).Name}>(...).");
        }
        var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(node.ResolvedMaxParallelism, node.ResolvedParallelism, SubtaskIndex);
        return new FusedSliceWindow<TKey, TIn, TAcc, TAgg>(node.Name, window, aggregator, accumulatorSerializer, range, node.ResolvedMaxParallelism,
            table =>
            {
                // The backend a process window function would keep its state in: empty here, but part of the operator's snapshot format.
                var backend = new BinaryKeyedStateBackend<TKey>(node.Name, range, node.ResolvedMaxParallelism, _managedMemory, _serializers);
                var state = new Windowing.Operators.SliceTableKeyedState(node.Name, table, backend, backend);
                if (RestoreOf(op) is { KeyedChains.Count: > 0 } restore)
                {
                    state.Restore(restore.KeyedChains);
                }
                _backends[op] = state;
                return state;
            },
            _counters($"{node.Name}.numLateRecordsDropped"));
    }

    /// <summary>The checkpoint id of operator <paramref name="op"/> (its uid or generated id).</summary>
    internal string OperatorId(int op) => Checkpointing.OperatorIds.Of(_vertex.Operators[op]);

    internal int OperatorCount => _vertex.Operators.Count;

    internal Checkpointing.OperatorRestoreState? RestoreOf(int op) => _restore?.GetValueOrDefault(OperatorId(op));

    internal Checkpointing.ISnapshotableKeyedBackend? BackendOf(int op) => _backends.GetValueOrDefault(op);

    /// <summary>The checkpoint hooks of the user objects of operator <paramref name="op"/>, or null when it has none.</summary>
    internal Checkpointing.CheckpointedFunctions? HooksIfAny(int op) => _hooks.GetValueOrDefault(op);

    private Checkpointing.CheckpointedFunctions HooksOf(int op)
    {
        if (!_hooks.TryGetValue(op, out var hooks))
        {
            var node = _vertex.Operators[op];
            hooks = _hooks[op] = new Checkpointing.CheckpointedFunctions(node.Name, _serializers, RestoreOf(op), SubtaskIndex, node.ResolvedParallelism,
                action =>
                {
                    try
                    {
                        action();
                    }
                    catch (Exception e) when (IsUserFailure(e))
                    {
                        throw Fail(op, 0, e);
                    }
                });
        }
        return hooks;
    }

    /// <summary>The position of a source reader the context created (null when it cannot say).</summary>
    internal long? ReaderPosition => _positionedReader?.Position;

    private long? RestoredPosition(int op) => RestoreOf(op)?.SourcePosition(SubtaskIndex);

    /// <summary>The runtime context a rich function of operator <paramref name="op"/> is opened with.</summary>
    public RuntimeContext CreateRuntimeContext(int op, IKeyedStateStore? keyedState)
    {
        var node = _vertex.Operators[op];
        return new RuntimeContext(TaskName, node.Name, SubtaskIndex, node.ResolvedParallelism, node.ResolvedMaxParallelism, _counters, keyedState);
    }

    /// <summary>True for failures of user code (not already wrapped, not cancellation), as the interpreted operators decide.</summary>
    public static bool IsUserFailure(Exception e) => UserCodeException.IsUserFailure(e);

    /// <summary>The error of operator <paramref name="op"/> failing on its input record <paramref name="recordNumber"/> (1-based; 0 outside records).</summary>
    public UserCodeException Fail(int op, long recordNumber, Exception error) => new(OperatorName(op), TaskName, recordNumber, error);

    /// <summary>The error of the key selector of the KeyBy edge at <paramref name="output"/> failing on the chain's output record <paramref name="recordNumber"/>.</summary>
    public UserCodeException FailKeyBy(int output, long recordNumber, Exception error) =>
        new($"KeyBy before {_outputs[output].Edge.StreamEdge.Target.Description}", TaskName, recordNumber, error);

    /// <summary>Wraps a user failure of operator <paramref name="op"/> (lifecycle calls); other exceptions pass unchanged.</summary>
    public Exception Wrap(int op, long recordNumber, Exception error) => IsUserFailure(error) ? Fail(op, recordNumber, error) : error;

    private object State(int op) => _vertex.Operators[op].FusionState
        ?? throw new InvalidOperationException($"Operator '{OperatorName(op)}' carries no user object for its fused chain.");
}

/// <summary>The end of input of a chain's event-time operator: stops its periodic emission and emits <see cref="Watermark.MaxValue"/>.</summary>
internal interface IFinalWatermark
{
    void EmitFinalWatermark();
}

internal sealed class FinalWatermark<T>(WatermarkGeneration<T> generation) : IFinalWatermark
{
    public void EmitFinalWatermark() => generation.EmitFinalWatermark();
}

/// <summary>Drops time events: the output of a watermark strategy whose watermarks a later assigner of the chain would drop.</summary>
internal sealed class DiscardingEventOutput : IEventOutput
{
    public static readonly DiscardingEventOutput Instance = new();

    public void EmitWatermark(Watermark watermark)
    {
    }

    public void EmitWatermarkStatus(WatermarkStatus status)
    {
    }
}
