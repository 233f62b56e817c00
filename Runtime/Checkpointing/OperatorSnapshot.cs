using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// The keyed state of one operator subtask, as captured by the synchronous phase of a snapshot: written by the
/// asynchronous phase while the task goes on, then released.
/// </summary>
internal interface IKeyedStateSnapshotWriter
{
    /// <summary>True when only the changes since the last completed checkpoint are written.</summary>
    bool IsIncremental { get; }

    /// <summary>Writes the captured state (any thread).</summary>
    void WriteTo(Stream output);

    /// <summary>Lets the backend reclaim what the snapshot pinned (any thread).</summary>
    void Release();
}

/// <summary>A keyed state backend that can take snapshots and be restored.</summary>
internal interface ISnapshotableKeyedBackend
{
    KeyGroupRange KeyGroupRange { get; }

    /// <summary>Synchronous phase: captures a consistent view; incremental when asked and a completed base exists.</summary>
    IKeyedStateSnapshotWriter Snapshot(long checkpointId, bool incremental);

    void NotifyCheckpointComplete(long checkpointId);

    void NotifyCheckpointAborted(long checkpointId);

    /// <summary>Restores from one file chain (full first, then deltas) per old subtask; keys outside the range are skipped.</summary>
    void Restore(IReadOnlyList<IReadOnlyList<Func<Stream>>> chains);
}

/// <summary>What one operator of a subtask captured synchronously for checkpoint n.</summary>
internal sealed class OperatorSnapshot(string operatorId)
{
    public string OperatorId { get; } = operatorId;

    /// <summary>The keyed state to write asynchronously, or null.</summary>
    public IKeyedStateSnapshotWriter? Keyed { get; set; }

    /// <summary>Small parts captured as bytes in the synchronous phase (source position, timers, operator state, ...), by name.</summary>
    public SortedDictionary<string, byte[]> Sections { get; } = new(StringComparer.Ordinal);
}

/// <summary>Names of the sections in an operator-state file.</summary>
internal static class SnapshotSections
{
    public const string SourcePosition = "source-position";
    public const string Timers = "timers";
    public const string OperatorState = "operator-state";

    /// <summary>The <see cref="SourcePosition"/> section of a reader at <paramref name="position"/>.</summary>
    public static void AddSourcePosition(IDictionary<string, byte[]> sections, long position)
    {
        var bytes = new byte[sizeof(long)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes, position);
        sections[SourcePosition] = bytes;
    }

    public static void Write(Stream output, IReadOnlyDictionary<string, byte[]> sections)
    {
        using var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(sections.Count);
        foreach (var (name, bytes) in sections)
        {
            writer.Write(name);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
    }

    public static Dictionary<string, byte[]> Read(Stream input, string path)
    {
        using var reader = new BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            int count = reader.ReadInt32();
            var sections = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                int length = reader.ReadInt32();
                var bytes = reader.ReadBytes(length);
                if (bytes.Length != length)
                {
                    throw new EndOfStreamException();
                }
                sections[name] = bytes;
            }
            return sections;
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointCorruptedException(path, "the operator state ends inside a section", e);
        }
    }
}

/// <summary>
/// What one operator of a new subtask restores from a checkpoint or savepoint: its keyed-state chains (only those
/// of old subtasks whose key groups overlap), and the sections of every old subtask (timers are filtered by key
/// group, operator state is redistributed, a source position is taken from the same subtask).
/// </summary>
internal sealed class OperatorRestoreState
{
    public required long CheckpointId { get; init; }

    public required IReadOnlyList<IReadOnlyList<Func<Stream>>> KeyedChains { get; init; }

    /// <summary>Sections per old subtask, index = old subtask (empty when the subtask had none).</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, byte[]>> Sections { get; init; }

    /// <summary>
    /// The read position a source subtask saved, or null. The restore plan already refused a source whose parallelism
    /// changed, so the subtask indexes match.
    /// </summary>
    public long? SourcePosition(int subtask) =>
        subtask < Sections.Count && Sections[subtask].TryGetValue(SnapshotSections.SourcePosition, out var bytes)
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes)
            : null;
}
