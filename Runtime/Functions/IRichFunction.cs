namespace DataflowCompiler.Functions;

/// <summary>
/// A function with a lifecycle: <see cref="Open"/> runs on the task thread before the first record
/// (with access to the subtask's context and state), <see cref="Close"/> after the last one or on cancellation.
/// Any function object passed to an operator may implement it.
/// </summary>
public interface IRichFunction
{
    void Open(RuntimeContext context);
    void Close();
}
