namespace DataflowCompiler.State;

/// <summary>
/// The entries of one keyed state as <see cref="BinaryKeyedStateBackend{TKey}"/> snapshots them: the binary table
/// (<see cref="Binary.BinaryStateTable"/>) or the flat table of a <see cref="FlatValueState{TKey, TValue}"/>. Both stamp
/// every written entry with the table's current version, so a snapshot can leave out what an earlier one holds.
/// Task thread only, except where a member says otherwise.
/// </summary>
internal interface IStateTable : IDisposable
{
    /// <summary>Live entries.</summary>
    long EntryCount { get; }

    /// <summary>
    /// The synchronous phase of a snapshot: pins the current version copy-on-write and advances it. The view holds every
    /// entry stamped at or below the pinned version, and of those only the ones stamped above
    /// <paramref name="baseVersion"/> (an incremental snapshot; -1 for a full one), plus the removals since the base.
    /// </summary>
    IStateTableSnapshot Pin(int baseVersion);

    /// <summary>Forgets logged removals stamped at or below <paramref name="version"/>: no later snapshot needs them.</summary>
    void PruneTombstones(int version);
}
