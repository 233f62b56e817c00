using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>Runs a <see cref="ProcessAllWindowFunction{TIn, TOut, W}"/> as the process window function of the constant key WindowAll uses.</summary>
internal sealed class ProcessAllWindowFunctionAdapter<TIn, TOut, W>(ProcessAllWindowFunction<TIn, TOut, W> function)
    : ProcessWindowFunction<TIn, TOut, byte, W>
    where W : IWindow
{
    private readonly AllContext _context = new();

    public override void Open(RuntimeContext context) => ((IRichFunction)function).Open(context);

    public override void Close() => function.Close();

    public override void Process(byte key, Context context, IEnumerable<TIn> elements, ICollector<TOut> output)
    {
        _context.Inner = context;
        function.Process(_context, elements, output);
    }

    public override void Clear(Context context)
    {
        _context.Inner = context;
        function.Clear(_context);
    }

    private sealed class AllContext : ProcessAllWindowFunction<TIn, TOut, W>.Context
    {
        public Context Inner { get; set; } = null!;

        public override W Window => Inner.Window;

        public override long CurrentProcessingTime => Inner.CurrentProcessingTime;

        public override long CurrentWatermark => Inner.CurrentWatermark;

        public override IKeyedStateStore WindowState => Inner.WindowState;

        public override IKeyedStateStore GlobalState => Inner.GlobalState;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => Inner.Output(tag, value);
    }
}
