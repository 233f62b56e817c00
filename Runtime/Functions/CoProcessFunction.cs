namespace DataflowCompiler.Functions;

/// <summary>Processes two connected inputs with side outputs; on connected keyed streams, state is scoped to the current key.</summary>
public abstract class CoProcessFunction<TIn1, TIn2, TOut> : RichFunction
{
    public abstract void ProcessElement1(TIn1 value, Context context, ICollector<TOut> output);

    public abstract void ProcessElement2(TIn2 value, Context context, ICollector<TOut> output);

    /// <summary>What a co-process function can do besides emitting main output.</summary>
    public abstract class Context
    {
        /// <summary>Emits a record to the side output named by <paramref name="tag"/>.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }
}
