using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>The trigger context of a window operator: timers and state of the current key and <see cref="Window"/>.</summary>
internal sealed class WindowTriggerContext<TKey, W> : OnMergeContext
    where W : IWindow
{
    private readonly IWindowOperatorContext<TKey, W> _operator;
    private readonly IKeyedStateStore _backend;
    private readonly IRecordSerializer<W> _windowSerializer;
    private readonly NamespacedStateStore<W> _store;

    public WindowTriggerContext(IWindowOperatorContext<TKey, W> operatorContext, IRecordSerializer<W> windowSerializer)
    {
        _operator = operatorContext;
        _backend = operatorContext.KeyedStateBackend;
        _windowSerializer = windowSerializer;
        _store = new NamespacedStateStore<W>(_backend, windowSerializer, isGlobal: false);
    }

    /// <summary>The window the trigger is called for (the merge result during OnMerge).</summary>
    public W Window
    {
        get => _store.Window;
        set => _store.Window = value;
    }

    /// <summary>The windows that merged into <see cref="Window"/> (during OnMerge only).</summary>
    public IReadOnlyCollection<W> MergedWindows { get; set; } = [];

    public override long CurrentProcessingTime => _operator.CurrentProcessingTime;

    public override long CurrentWatermark => _operator.CurrentWatermark;

    public override void RegisterEventTimeTimer(long time) => _operator.RegisterEventTimeTimer(Window, time);

    public override void RegisterProcessingTimeTimer(long time) => _operator.RegisterProcessingTimeTimer(Window, time);

    public override void DeleteEventTimeTimer(long time) => _operator.DeleteEventTimeTimer(Window, time);

    public override void DeleteProcessingTimeTimer(long time) => _operator.DeleteProcessingTimeTimer(Window, time);

    protected override IKeyedStateStore PartitionedStateStore => _store;

    public override void MergePartitionedState<T>(ReducingStateDescriptor<T> descriptor)
    {
        var state = _backend.GetReducingState(descriptor);
        var scoped = (IInternalKeyedState)state;
        var values = new List<T>();
        foreach (var merged in MergedWindows)
        {
            scoped.SetCurrentNamespace(merged, _windowSerializer);
            if (state.HasValue)
            {
                values.Add(state.Get());
                state.Clear();
            }
        }
        scoped.SetCurrentNamespace(Window, _windowSerializer);
        foreach (var value in values)
        {
            state.Add(value);
        }
    }

    public override void MergePartitionedState<T>(ListStateDescriptor<T> descriptor)
    {
        var state = _backend.GetListState(descriptor);
        var scoped = (IInternalKeyedState)state;
        var values = new List<T>();
        foreach (var merged in MergedWindows)
        {
            scoped.SetCurrentNamespace(merged, _windowSerializer);
            values.AddRange(state.Get());
            state.Clear();
        }
        scoped.SetCurrentNamespace(Window, _windowSerializer);
        if (values.Count > 0)
        {
            state.AddAll(values);
        }
    }
}
