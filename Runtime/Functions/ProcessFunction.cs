namespace DataflowCompiler.Functions;

/// <summary>
/// The general one-input function: sees each record with a context that can emit to side outputs.
/// </summary>
public abstract class ProcessFunction<TIn, TOut> : RichFunction
{
    public abstract void ProcessElement(TIn value, Context context, ICollector<TOut> output);

    /// <summary>What a process function can do besides emitting main output.</summary>
    public abstract class Context
    {
        /// <summary>Emits a record to the side output named by <paramref name="tag"/>.</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }
}
