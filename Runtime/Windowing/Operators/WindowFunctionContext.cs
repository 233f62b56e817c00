using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>What the internal window functions see of the operator while a window fires or is cleared.</summary>
internal sealed class WindowFunctionContext<TKey, W> : EvictorContext
    where W : IWindow
{
    private readonly IWindowOperatorContext<TKey, W> _operator;

    public WindowFunctionContext(IWindowOperatorContext<TKey, W> operatorContext, IRecordSerializer<W> windowSerializer)
    {
        _operator = operatorContext;
        WindowState = new NamespacedStateStore<W>(operatorContext.KeyedStateBackend, windowSerializer, isGlobal: false);
        GlobalState = new NamespacedStateStore<W>(operatorContext.KeyedStateBackend, windowSerializer, isGlobal: true);
    }

    /// <summary>The window being fired or cleared.</summary>
    public W Window
    {
        get => WindowState.Window;
        set => WindowState.Window = value;
    }

    public NamespacedStateStore<W> WindowState { get; }

    public NamespacedStateStore<W> GlobalState { get; }

    public override long CurrentProcessingTime => _operator.CurrentProcessingTime;

    public override long CurrentWatermark => _operator.CurrentWatermark;

    /// <summary>Side outputs of window functions carry the window's max timestamp, like the main output.</summary>
    public void Output<TSide>(OutputTag<TSide> tag, TSide value)
    {
        ArgumentNullException.ThrowIfNull(tag);
        _operator.EmitSide(tag, value, Window.MaxTimestamp);
    }
}
