using DataflowCompiler.Functions;
using DataflowCompiler.Graph;
using DataflowCompiler.Operators;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// What the fluent window API collected (assigner, trigger, evictor, lateness, late-data tag) and how it becomes a
/// stream node. Settings are checked when they are made, on a builder kept for that, so a bad combination fails
/// where the user wrote it; each subtask then builds its own operator from the same settings and its own copy of
/// the user functions.
/// </summary>
internal sealed class WindowSpec<T, TKey, W>
    where W : IWindow
{
    private readonly Func<DataStream<T>> _input;
    private readonly Func<T, TKey> _keySelector;
    private readonly bool _nonParallel;
    private readonly WindowOperatorBuilder<T, TKey, W> _validator;
    private Trigger<T, W>? _trigger;
    private IEvictor<T, W>? _evictor;
    private long _allowedLateness;
    private OutputTag<T>? _lateDataTag;
    private Memory.Serialization.IRecordSerializer<T>? _elementSerializer;

    public WindowSpec(Func<DataStream<T>> input, Func<T, TKey> keySelector, WindowAssigner<W> assigner, bool nonParallel)
    {
        ArgumentNullException.ThrowIfNull(assigner, nameof(assigner));
        _input = input;
        _keySelector = keySelector;
        Assigner = assigner;
        _nonParallel = nonParallel;
        _validator = new WindowOperatorBuilder<T, TKey, W>(assigner, OperatorName);
    }

    public WindowAssigner<W> Assigner { get; }

    private string OperatorName => _nonParallel ? "WindowAll" : "Window";

    /// <summary>A test hook: reports each subtask's leftover state at the end of input.</summary>
    public WindowStateProbe? Probe { get; set; }

    public void Trigger(Trigger<T, W> trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger, nameof(trigger));
        _validator.Trigger(trigger);
        _trigger = trigger;
    }

    public void Evictor(IEvictor<T, W> evictor)
    {
        ArgumentNullException.ThrowIfNull(evictor, nameof(evictor));
        _validator.Evictor(evictor);
        _evictor = evictor;
    }

    public void AllowedLateness(long lateness)
    {
        _validator.AllowedLateness(lateness);
        _allowedLateness = lateness;
    }

    public void SideOutputLateData(OutputTag<T> tag)
    {
        ArgumentNullException.ThrowIfNull(tag, nameof(tag));
        _lateDataTag = tag;
    }

    /// <summary>The serializer of elements kept in window state (the tagged union of a join); null resolves it from the registry.</summary>
    public void ElementSerializer(Memory.Serialization.IRecordSerializer<T>? serializer) => _elementSerializer = serializer;

    /// <summary>
    /// Adds the window node (and, for joins, the nodes that make its input): <paramref name="build"/> turns a configured builder into the operator, once per subtask
    /// (copy user functions inside it with <see cref="FunctionCopy.Of{T}"/>).
    /// </summary>
    public DataStream<TOut> Build<TOut>(Func<WindowOperatorBuilder<T, TKey, W>, IWindowOperator<TKey, T, TOut, W>> build)
    {
        var input = _input();
        var graph = input.Environment.Graph;
        StreamNode? node = null;
        var probe = Probe;
        var serializers = input.Environment.Serializers;
        node = graph.AddNode(new StreamNode(graph.NextId, "Window", OperatorName, TypeInfo<TOut>.Instance,
            new TypeInfo[] { TypeInfo<T>.Instance }, () => CreateOperator(build(Configure(node!.Name)), serializers, probe))
        {
            KeyType = TypeInfo<TKey>.Instance,
            // Window results carry the window's max timestamp, so they can feed event-time operators downstream.
            AssignsTimestamps = true,
            ParallelismLimit = _nonParallel ? 1 : int.MaxValue,
            FusionWindow = FusableWindow.Of<T, TKey, W>(Assigner, _trigger is not null, _evictor is not null, _allowedLateness, _lateDataTag is not null,
                _elementSerializer is not null, _nonParallel, serializers),
        });
        input.Wire(node, 1);
        return new DataStream<TOut>(input.Environment, node);
    }

    /// <summary>
    /// The slice table when the builder chose slicing and the keys are raw bytes (decided when the subtask is created, after
    /// the job registered its serializers); otherwise the window operator over the keyed backend and timers.
    /// </summary>
    private DataflowCompiler.Operators.StreamOperator CreateOperator<TOut>(IWindowOperator<TKey, T, TOut, W> windowOperator, Memory.Serialization.SerializerRegistry serializers, WindowStateProbe? probe) =>
        windowOperator is ISliceTableCandidate<TKey, T, TOut> candidate && RawKey<TKey>.IsRaw(serializers) &&
        candidate.CreateSliceTableOperator(_keySelector, probe) is { } sliceTable
            ? sliceTable
            : new KeyedWindowOperator<TKey, T, TOut, W>(windowOperator, _keySelector, probe);

    private WindowOperatorBuilder<T, TKey, W> Configure(string name)
    {
        var builder = new WindowOperatorBuilder<T, TKey, W>(Assigner, name);
        if (_trigger is not null)
        {
            builder.Trigger(_trigger);
        }
        if (_evictor is not null)
        {
            builder.Evictor(_evictor);
        }
        if (_lateDataTag is not null)
        {
            builder.SideOutputLateData(_lateDataTag);
        }
        return builder.AllowedLateness(_allowedLateness).ElementSerializer(_elementSerializer);
    }
}
