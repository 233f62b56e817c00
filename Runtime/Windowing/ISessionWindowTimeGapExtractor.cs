namespace DataflowCompiler.Windowing;

/// <summary>Computes the session gap of an element for dynamic session windows (Flink's SessionWindowTimeGapExtractor).</summary>
public interface ISessionWindowTimeGapExtractor<in T>
{
    /// <summary>The gap (&gt; 0) the session of <paramref name="element"/> stays open after it.</summary>
    long Extract(T element);
}
