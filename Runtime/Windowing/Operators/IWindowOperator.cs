using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// A window operator as the runtime drives it (Flink's WindowOperator seen from the task): open it with a
/// context, push elements, and call back when timers fire. Implemented by the generic
/// <see cref="WindowOperator{TKey, TIn, TAcc, TOut, W}"/> and the <see cref="SlicingWindowOperator{TKey, TIn, TAcc, TOut}"/>.
/// </summary>
internal interface IWindowOperator<TKey, TIn, TOut, W>
    where W : IWindow
{
    /// <summary>Name used in error messages.</summary>
    string Name { get; }

    /// <summary>Serializes the timer namespace (the window).</summary>
    IRecordSerializer<W> WindowSerializer { get; }

    /// <summary>Elements that arrived after their windows' cleanup time and had no late-data side output.</summary>
    long NumLateRecordsDropped { get; }

    /// <summary>The user functions (window function, reduce or aggregate function), so the runtime can open and close rich ones.</summary>
    IReadOnlyList<object> UserFunctions { get; }

    /// <summary>Binds the operator to its task; called once before the first element.</summary>
    void Open(IWindowOperatorContext<TKey, W, TOut> context);

    /// <summary>
    /// Processes one element of <paramref name="key"/> with its event timestamp (<see cref="long.MinValue"/> if none).
    /// The caller has made <paramref name="key"/> the current key of the keyed state backend (the task does so per record).
    /// </summary>
    void ProcessElement(TKey key, TIn element, long timestamp);

    /// <summary>An event-time timer of (<paramref name="key"/>, <paramref name="window"/>) fired at <paramref name="time"/>; <paramref name="key"/> is current.</summary>
    void OnEventTime(TKey key, W window, long time);

    /// <summary>A processing-time timer of (<paramref name="key"/>, <paramref name="window"/>) fired at <paramref name="time"/>; <paramref name="key"/> is current.</summary>
    void OnProcessingTime(TKey key, W window, long time);
}
