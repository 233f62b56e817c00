namespace DataflowCompiler.Functions;

/// <summary>
/// A process function on a keyed stream: keyed state obtained from <see cref="RichFunction.RuntimeContext"/>
/// is scoped to <see cref="Context.CurrentKey"/>.
/// </summary>
public abstract class KeyedProcessFunction<TKey, TIn, TOut> : RichFunction
{
    public abstract void ProcessElement(TIn value, Context context, ICollector<TOut> output);

    /// <summary>What a keyed process function can do besides emitting main output.</summary>
    public abstract class Context
    {
        /// <summary>The key of the record being processed.</summary>
        public abstract TKey CurrentKey { get; }

        /// <summary>Emits a record to the side output named by <paramref name="tag"/>.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }
}
