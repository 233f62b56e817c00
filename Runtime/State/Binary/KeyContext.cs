using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// The current key as the states of one backend see it: serialized once per <c>SetCurrentKey</c> into a
/// reused buffer, with its stable hash and key group. Shared by all states of the backend.
/// </summary>
internal sealed class KeyContext
{
    public KeyContext(string operatorName) => OperatorName = operatorName;

    public string OperatorName { get; }

    /// <summary>The serialized current key.</summary>
    public DataOutputSerializer KeyBytes { get; } = new(64);

    /// <summary>Murmur3 of <see cref="KeyBytes"/>.</summary>
    public int KeyHash { get; set; }

    public int KeyGroup { get; set; }

    public bool HasKey { get; set; }

    /// <summary>
    /// Counts <c>SetCurrentKey</c> calls, so a state can tell whether the key it remembered a lookup for is still
    /// the current one (<see cref="BinaryValueState{T}.TryGetForUpdate"/>).
    /// </summary>
    public long Epoch { get; set; }

    public void EnsureKey(string stateName)
    {
        if (!HasKey)
        {
            throw new InvalidOperationException(
                $"state '{stateName}' of operator '{OperatorName}' was accessed without a current key; keyed state is only available on a keyed stream while a record or timer is processed.");
        }
    }
}
