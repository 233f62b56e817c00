namespace DataflowCompiler.Windowing;

/// <summary>An assigner whose windows merge (session windows; Flink's MergingWindowAssigner).</summary>
public abstract class MergingWindowAssigner<W> : WindowAssigner<W>
    where W : IWindow
{
    /// <summary>
    /// Finds the windows among <paramref name="windows"/> that must become one and calls <paramref name="merge"/>
    /// with each group (more than one window) and the window that replaces it.
    /// </summary>
    public abstract void MergeWindows(IReadOnlyCollection<W> windows, Action<IReadOnlyCollection<W>, W> merge);
}
