using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State.Binary;

namespace DataflowCompiler.State;

/// <summary>
/// Read-modify-write access to a value state of <see cref="BinaryKeyedStateBackend{TKey}"/> with one hash-table
/// probe per record, for rolling aggregates (<c>Reduce</c>/<c>Sum</c>/<c>Min</c>/<c>Max</c>, interpreted and fused):
/// <see cref="TryGetValue"/> finds the current key's entry and remembers where it is, <see cref="Update"/> writes
/// there. Values whose serializer has a fixed size (<see cref="IFixedSizeSerializer{T}"/>:
/// unmanaged types, pairs of them) are read and written in the state's memory segment without a buffer; others are
/// serialized and copied into place when they fit. The entries are the same as those of <see cref="State"/>, the
/// ordinary view of the same state.
/// </summary>
/// <remarks>
/// Call <see cref="Update"/> after <see cref="TryGetValue"/> for the same key. If the key or namespace changed in
/// between, or the state was written otherwise, <see cref="Update"/> looks the entry up again, so it is never wrong,
/// only slower. Thread-confined to the task thread.
/// </remarks>
public sealed class InPlaceValueState<T>
{
    private readonly BinaryValueState<T> _state;

    internal InPlaceValueState(BinaryValueState<T> state) => _state = state;

    /// <summary>The same state through the ordinary interface.</summary>
    public IValueState<T> State => _state;

    /// <summary>Whether values are read and written in place in the segment (their serializer has a fixed size).</summary>
    public bool IsFixedSize => _state.IsFixedSize;

    /// <summary>
    /// The current key's value, if it has one (<see cref="IValueState{T}.HasValue"/> and
    /// <see cref="IValueState{T}.Value"/> in one probe). Remembers where the entry is, or where it would go, for
    /// <see cref="Update"/>.
    /// </summary>
    public bool TryGetValue(out T value) => _state.TryGetForUpdate(out value);

    /// <summary>
    /// Sets the current key's value, as <see cref="IValueState{T}.Update"/> does (null clears it), at the place the
    /// preceding <see cref="TryGetValue"/> found, without probing again. The entry is stamped as written.
    /// </summary>
    public void Update(T value) => _state.UpdateFound(value);
}
