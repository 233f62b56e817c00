using DataflowCompiler.Functions;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The window function of a window join or co-group (Flink's CoGroupWindowFunction): splits the tagged elements of
/// a window into the two inputs and calls the co-group function. A join is a co-group that runs a nested loop.
/// </summary>
internal sealed class CoGroupWindowFunction<T1, T2, TOut, TKey, W>(ICoGroupFunction<T1, T2, TOut> function)
    : ProcessWindowFunction<TaggedUnion<T1, T2>, TOut, TKey, W>
    where W : IWindow
{
    private readonly List<T1> _first = [];
    private readonly List<T2> _second = [];

    public override void Open(RuntimeContext context)
    {
        if (function is IRichFunction rich)
        {
            rich.Open(context);
        }
    }

    public override void Close()
    {
        if (function is IRichFunction rich)
        {
            rich.Close();
        }
    }

    public override void Process(TKey key, Context context, IEnumerable<TaggedUnion<T1, T2>> elements, ICollector<TOut> output)
    {
        _first.Clear();
        _second.Clear();
        foreach (var element in elements)
        {
            if (element.IsOne)
            {
                _first.Add(element.One);
            }
            else
            {
                _second.Add(element.Two);
            }
        }
        function.CoGroup(_first, _second, output);
    }
}
