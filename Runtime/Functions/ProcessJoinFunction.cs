namespace DataflowCompiler.Functions;

/// <summary>
/// Processes one joined pair of an interval join (Flink's ProcessJoinFunction): a left element and a right element
/// with the same key whose timestamps satisfy the join's bounds.
/// </summary>
/// <typeparam name="TLeft">The left (first) stream's element type.</typeparam>
/// <typeparam name="TRight">The right (second) stream's element type.</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
public abstract class ProcessJoinFunction<TLeft, TRight, TOut> : RichFunction
{
    /// <summary>Called once per joined pair; results carry the larger of the two timestamps.</summary>
    public abstract void ProcessElement(TLeft left, TRight right, Context context, ICollector<TOut> output);

    /// <summary>The timestamps of the pair and side outputs.</summary>
    public abstract class Context
    {
        /// <summary>The left element's timestamp.</summary>
        public abstract long LeftTimestamp { get; }

        /// <summary>The right element's timestamp.</summary>
        public abstract long RightTimestamp { get; }

        /// <summary>The timestamp of the results: the larger of the two.</summary>
        public abstract long Timestamp { get; }

        /// <summary>Emits <paramref name="value"/> to the side output <paramref name="tag"/> (with <see cref="Timestamp"/>).</summary>
        public abstract void Output<TSide>(OutputTag<TSide> tag, TSide value);
    }
}
