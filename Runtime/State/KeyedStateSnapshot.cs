namespace DataflowCompiler.State;

/// <summary>
/// A snapshot of a <see cref="BinaryKeyedStateBackend{TKey}"/> taken in the synchronous phase of a checkpoint
/// (<see cref="BinaryKeyedStateBackend{TKey}.Snapshot"/>): every table is pinned copy-on-write, nothing is copied yet.
/// <see cref="WriteTo"/> is the asynchronous phase and may run on any thread while the task keeps writing state;
/// <see cref="Release"/> ends the pins (also from any thread) once the bytes are written or the checkpoint is given up.
/// </summary>
/// <remarks>
/// Stream format (little-endian): header <c>"DFKS" version flags checkpointId baseCheckpointId maxParallelism
/// firstKeyGroup lastKeyGroup tableCount</c>; per table <c>tableName stateName role kind fingerprint</c> (strings are
/// int32 length + UTF-8), then tagged records — tombstones <c>2 keyGroup hash keyLen secLen key sec</c> before entries
/// <c>1 keyGroup hash keyLen secLen valueLen key sec value</c> — and <c>0 recordCount</c>; trailer "DFKS".
/// </remarks>
internal sealed class KeyedStateSnapshot : Checkpointing.IKeyedStateSnapshotWriter
{
    public const int Magic = 0x534B4644; // "DFKS"
    public const int FormatVersion = 1;
    public const int IncrementalFlag = 1;

    private readonly int _maxParallelism;
    private readonly KeyGroupRange _keyGroupRange;
    private readonly IReadOnlyList<Part> _parts;

    internal KeyedStateSnapshot(long checkpointId, long baseCheckpointId, int maxParallelism, KeyGroupRange keyGroupRange, IReadOnlyList<Part> parts)
    {
        CheckpointId = checkpointId;
        BaseCheckpointId = baseCheckpointId;
        _maxParallelism = maxParallelism;
        _keyGroupRange = keyGroupRange;
        _parts = parts;
    }

    /// <summary>Whether only the changes since <see cref="BaseCheckpointId"/> are written.</summary>
    public bool IsIncremental => BaseCheckpointId >= 0;

    public long CheckpointId { get; }

    /// <summary>The confirmed checkpoint an incremental snapshot builds on; -1 for a full snapshot.</summary>
    public long BaseCheckpointId { get; }

    /// <summary>Bytes the last <see cref="WriteTo"/> wrote.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Entries and tombstones the last <see cref="WriteTo"/> wrote.</summary>
    public long RecordsWritten { get; private set; }

    /// <summary>The pinned version of each table, by table name (the base of later incremental snapshots).</summary>
    internal Dictionary<string, int> PinnedVersions() => _parts.ToDictionary(static p => p.TableName, static p => p.View.Version, StringComparer.Ordinal);

    /// <summary>Streams the pinned view (see the remarks for the format). Any thread; the task may keep writing meanwhile.</summary>
    public void WriteTo(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new SnapshotWriter(output);
        writer.WriteInt32(Magic);
        writer.WriteInt32(FormatVersion);
        writer.WriteInt32(IsIncremental ? IncrementalFlag : 0);
        writer.WriteInt64(CheckpointId);
        writer.WriteInt64(BaseCheckpointId);
        writer.WriteInt32(_maxParallelism);
        writer.WriteInt32(_keyGroupRange.StartKeyGroup);
        writer.WriteInt32(_keyGroupRange.EndKeyGroup);
        writer.WriteInt32(_parts.Count);
        long records = 0;
        foreach (var part in _parts)
        {
            writer.WriteString(part.TableName);
            writer.WriteString(part.StateName);
            writer.WriteInt32(part.Role);
            writer.WriteString(part.Kind);
            writer.WriteString(part.Fingerprint);
            records += part.View.WriteTo(writer);
        }
        writer.WriteInt32(Magic);
        writer.Flush();
        BytesWritten = writer.BytesWritten;
        RecordsWritten = records;
    }

    /// <summary>Releases every table's pin (any thread, idempotent).</summary>
    public void Release()
    {
        foreach (var part in _parts)
        {
            part.View.Release();
        }
    }

    /// <summary>One table of the snapshot: which state it belongs to (role 0: the entries, 1: a map state's directory).</summary>
    internal readonly record struct Part(string TableName, string StateName, int Role, string Kind, string Fingerprint, IStateTableSnapshot View);
}
