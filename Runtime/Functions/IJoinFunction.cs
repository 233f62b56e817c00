namespace DataflowCompiler.Functions;

/// <summary>Combines a pair of joined elements (one from each input) into a result (Flink's JoinFunction).</summary>
public interface IJoinFunction<in T1, in T2, out TOut>
{
    /// <summary>The result for one pair with equal keys in the same window.</summary>
    TOut Join(T1 first, T2 second);
}
