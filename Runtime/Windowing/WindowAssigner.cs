using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Assigns each element to zero or more windows (Flink's WindowAssigner). Element-agnostic assigners (all the
/// time-based ones) work for any element type, so the element type is a type parameter of the methods, not of
/// the class: <c>TumblingEventTimeWindows.Of(...)</c> needs no type arguments.
/// </summary>
public abstract class WindowAssigner<W>
    where W : IWindow
{
    /// <summary>
    /// Appends the windows <paramref name="element"/> belongs to to <paramref name="windows"/> (a list the
    /// operator reuses, so assigning allocates nothing).
    /// </summary>
    /// <param name="timestamp">The element's event timestamp (ignored by processing-time assigners).</param>
    public abstract void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<W> windows);

    /// <summary>The trigger used when the user sets none.</summary>
    public abstract Trigger<T, W> GetDefaultTrigger<T>();

    /// <summary>Serializes windows: they are the namespace of window state and timers.</summary>
    public abstract IRecordSerializer<W> WindowSerializer { get; }

    /// <summary>True when windows follow event time (lateness and cleanup follow the watermark).</summary>
    public abstract bool IsEventTime { get; }
}
