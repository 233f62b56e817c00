namespace DataflowCompiler.Windowing;

/// <summary>
/// Removes elements from a window before and/or after the window function runs (Flink's Evictor). The list holds
/// the window's elements in arrival order; remove from it to evict. What remains is written back as the window's
/// contents. A window with an evictor keeps all its elements (no incremental aggregation).
/// </summary>
public interface IEvictor<T, W>
    where W : IWindow
{
    /// <summary>Evicts before the window function sees the elements.</summary>
    /// <param name="size">The number of elements when the window fired.</param>
    void EvictBefore(IList<TimestampedValue<T>> elements, int size, W window, EvictorContext context);

    /// <summary>Evicts after the window function has run.</summary>
    void EvictAfter(IList<TimestampedValue<T>> elements, int size, W window, EvictorContext context);
}
