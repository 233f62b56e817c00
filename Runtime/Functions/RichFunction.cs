namespace DataflowCompiler.Functions;

/// <summary>Convenience base for rich functions: keeps the <see cref="RuntimeContext"/> and has empty lifecycle methods.</summary>
public abstract class RichFunction : IRichFunction
{
    private RuntimeContext? _context;

    /// <summary>The subtask's context; available from <see cref="Open"/> on.</summary>
    public RuntimeContext RuntimeContext =>
        _context ?? throw new InvalidOperationException("The runtime context is available from Open() on, not in the constructor.");

    public virtual void Open(RuntimeContext context) => _context = context;

    public virtual void Close() { }

    void IRichFunction.Open(RuntimeContext context)
    {
        _context = context;
        Open(context);
    }
}
