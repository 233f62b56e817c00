namespace DataflowCompiler.State;

/// <summary>
/// A pinned, consistent view of an <see cref="IStateTable"/> (<see cref="IStateTable.Pin"/>): it stays as it was at
/// pin time while the task keeps writing, so <see cref="WriteTo"/> runs on any thread.
/// </summary>
internal interface IStateTableSnapshot
{
    /// <summary>The pinned version: the base of later incremental snapshots once this one is confirmed.</summary>
    int Version { get; }

    /// <summary>
    /// Writes the view's tagged records (see <see cref="KeyedStateSnapshot"/> for the format) and the end tag with the
    /// record count. Any thread. Returns the number of records.
    /// </summary>
    long WriteTo(SnapshotWriter output);

    /// <summary>Ends the pin (any thread, idempotent).</summary>
    void Release();
}
