namespace DataflowCompiler.Functions;

/// <summary>A join as a co-group: every pair of the two groups (nothing when either is empty), as Flink's window join does it.</summary>
internal sealed class JoinCoGroupFunction<T1, T2, TOut>(Func<T1, T2, TOut> join, object? userFunction) : ICoGroupFunction<T1, T2, TOut>, IRichFunction
{
    public void CoGroup(IEnumerable<T1> first, IEnumerable<T2> second, ICollector<TOut> output)
    {
        foreach (var left in first)
        {
            foreach (var right in second)
            {
                output.Collect(join(left, right));
            }
        }
    }

    public void Open(RuntimeContext context) => (userFunction as IRichFunction)?.Open(context);

    public void Close() => (userFunction as IRichFunction)?.Close();
}
