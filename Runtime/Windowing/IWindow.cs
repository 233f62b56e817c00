namespace DataflowCompiler.Windowing;

/// <summary>
/// A window: a finite (or, for <see cref="GlobalWindow"/>, endless) bucket of elements (Flink's Window).
/// Windows are values: equal windows must compare equal and serialize to equal bytes, because the window is
/// the namespace of its state and timers.
/// </summary>
public interface IWindow
{
    /// <summary>The largest timestamp that still belongs to this window.</summary>
    long MaxTimestamp { get; }
}
