using DataflowCompiler.Functions;

namespace DataflowCompiler.Operators;

/// <summary>
/// Base of the interpreted operators. Lifecycle on the task thread: <see cref="Setup"/>,
/// <see cref="Open"/>, records, <see cref="Finish"/> (end of input, bounded streams only), then
/// <see cref="Close"/> (always, also after failure or cancellation).
/// </summary>
internal abstract class StreamOperator
{
    private OperatorContext? _context;

    /// <summary>Input records seen so far; an error names the record by this position.</summary>
    protected long RecordsIn;

    public string Name { get; internal set; } = "";

    protected OperatorContext Context => _context ?? throw new InvalidOperationException($"Operator '{Name}' is not set up.");

    /// <summary>The user function object, if any, for the rich lifecycle (Open/Close).</summary>
    protected virtual object? UserFunction => null;

    internal void Setup(OperatorContext context) => _context = context;

    /// <summary>The operator's input with the given 1-based index, as an <see cref="IInput{T}"/>.</summary>
    public abstract object GetInput(int inputIndex);

    /// <summary>Connects the operator's output (an <see cref="OperatorOutput{T}"/> of its output type).</summary>
    public abstract void SetOutput(object output);

    public virtual void Open()
    {
        if (UserFunction is IRichFunction rich)
        {
            Guard(() => rich.Open(Context.CreateRuntimeContext(KeyedStateStore)));
        }
    }

    /// <summary>The keyed state of this operator, for keyed operators.</summary>
    protected virtual State.IKeyedStateStore? KeyedStateStore => null;

    public virtual void Finish() { }

    public virtual void Close()
    {
        if (UserFunction is IRichFunction rich)
        {
            Guard(rich.Close);
        }
    }

    /// <summary>Runs lifecycle user code and names this operator if it throws.</summary>
    protected void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (IsUserFailure(e))
        {
            throw Fail(e);
        }
    }

    protected static bool IsUserFailure(Exception e) => e is not UserCodeException and not OperationCanceledException;

    protected UserCodeException Fail(Exception e) => new(Name, Context.TaskName, RecordsIn, e);
}

/// <summary>An operator with one input of type <typeparamref name="TIn"/> and output <typeparamref name="TOut"/>.</summary>
internal abstract class OneInputOperator<TIn, TOut> : StreamOperator, IInput<TIn>
{
    protected OperatorOutput<TOut> Output = null!;

    public override object GetInput(int inputIndex) => inputIndex == 1
        ? this
        : throw new ArgumentOutOfRangeException(nameof(inputIndex), $"Operator '{Name}' has one input.");

    public override void SetOutput(object output) => Output = (OperatorOutput<TOut>)output;

    public abstract void ProcessElement(TIn record);
}

/// <summary>An operator with two inputs.</summary>
internal abstract class TwoInputOperator<TIn1, TIn2, TOut> : StreamOperator
{
    protected OperatorOutput<TOut> Output = null!;
    private readonly Input1 _input1;
    private readonly Input2 _input2;

    protected TwoInputOperator()
    {
        _input1 = new Input1(this);
        _input2 = new Input2(this);
    }

    public override object GetInput(int inputIndex) => inputIndex switch
    {
        1 => _input1,
        2 => _input2,
        _ => throw new ArgumentOutOfRangeException(nameof(inputIndex), $"Operator '{Name}' has two inputs."),
    };

    public override void SetOutput(object output) => Output = (OperatorOutput<TOut>)output;

    public abstract void ProcessElement1(TIn1 record);

    public abstract void ProcessElement2(TIn2 record);

    private sealed class Input1(TwoInputOperator<TIn1, TIn2, TOut> op) : IInput<TIn1>
    {
        public void ProcessElement(TIn1 record) => op.ProcessElement1(record);
    }

    private sealed class Input2(TwoInputOperator<TIn1, TIn2, TOut> op) : IInput<TIn2>
    {
        public void ProcessElement(TIn2 record) => op.ProcessElement2(record);
    }
}
