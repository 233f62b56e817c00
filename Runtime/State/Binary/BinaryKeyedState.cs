using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// Common part of the binary states: one <see cref="BinaryStateTable"/>, the shared current key, and this
/// state's own current namespace (per state, as in Flink, so a window operator can scope its window
/// contents to a window while other state of the same operator stays in the default namespace).
/// </summary>
internal abstract class BinaryKeyedState : IInternalKeyedState, IDisposable
{
    private DataOutputSerializer _namespace = new(16);

    // The next namespace is serialized here and swapped in only when its bytes differ from the current ones.
    private DataOutputSerializer _candidateNamespace = new(16);

    // EntryHash of the last (key, namespace) it was computed for, by their epochs.
    private long _hashKeyEpoch = -1;
    private int _hashNamespaceEpoch;
    private int _hash;

    protected BinaryKeyedState(StateDescriptor descriptor, KeyContext keyContext, BinaryStateTable table)
    {
        Descriptor = descriptor;
        KeyContext = keyContext;
        Table = table;
    }

    public StateDescriptor Descriptor { get; }

    protected KeyContext KeyContext { get; }

    protected BinaryStateTable Table { get; }

    /// <summary>Reused buffer for serialized values; keeps steady-state writes allocation-free.</summary>
    protected DataOutputSerializer ValueBuffer { get; } = new(64);

    /// <summary>The serialized current namespace; empty for the default namespace.</summary>
    protected ReadOnlySpan<byte> Namespace => _namespace.WrittenSpan;

    public virtual long EntryCount => Table.EntryCount;

    /// <summary>Every table this state stores entries in.</summary>
    public virtual IEnumerable<BinaryStateTable> Tables => [Table];

    /// <summary>The table whose entries name the keys of this state (see <see cref="BinaryKeyedStateBackend{TKey}.GetKeys"/>).</summary>
    public virtual BinaryStateTable KeysTable => Table;

    /// <remarks>
    /// Setting the namespace the state already has (same bytes) keeps <see cref="NamespaceEpoch"/>, so the cached entry
    /// hash and a remembered lookup (<see cref="BinaryValueState{T}.TryGetForUpdate"/>) stay valid: a window operator
    /// sets its window or slice before every access, mostly to the one it had.
    /// </remarks>
    public void SetCurrentNamespace<TNamespace>(TNamespace ns, IRecordSerializer<TNamespace> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        var candidate = _candidateNamespace;
        candidate.Clear();
        serializer.Serialize(ns, candidate);
        if (candidate.WrittenSpan.SequenceEqual(_namespace.WrittenSpan))
        {
            return;
        }
        _candidateNamespace = _namespace;
        _namespace = candidate;
        NamespaceEpoch++;
    }

    public void ResetNamespace()
    {
        if (_namespace.Length == 0)
        {
            return;
        }
        _namespace.Clear();
        NamespaceEpoch++;
    }

    /// <summary>Counts namespace changes, so a remembered lookup can tell whether its namespace is still current.</summary>
    protected int NamespaceEpoch { get; private set; }

    /// <summary>
    /// Checks that there is a current key and returns the hash of (key, namespace) for the table index. The hash is
    /// kept until the key (<see cref="KeyContext.Epoch"/>) or the namespace (<see cref="NamespaceEpoch"/>) changes, so
    /// a read-modify-write of one entry hashes once.
    /// </summary>
    protected int EntryHash()
    {
        KeyContext.EnsureKey(Descriptor.Name);
        long keyEpoch = KeyContext.Epoch;
        if (_hashKeyEpoch == keyEpoch && _hashNamespaceEpoch == NamespaceEpoch)
        {
            return _hash;
        }
        // Seeding with the key's hash mixes key and namespace without concatenating them; the final
        // mix also decorrelates the low bits from the key group (which is the key hash mod maxParallelism).
        _hash = StableHash.Murmur3(Namespace, (uint)KeyContext.KeyHash);
        _hashKeyEpoch = keyEpoch;
        _hashNamespaceEpoch = NamespaceEpoch;
        return _hash;
    }

    protected ReadOnlySpan<byte> Key => KeyContext.KeyBytes.WrittenSpan;

    protected int KeyGroup => KeyContext.KeyGroup;

    public virtual void Dispose() => Table.Dispose();
}
