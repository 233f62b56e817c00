namespace DataflowCompiler.State.Flat;

/// <summary>
/// One slot of a <see cref="FlatValueState{TKey, TValue}"/> table, stored inline in the table's chunk arrays.
/// <see cref="Stamp"/> 0 marks an empty slot (versions start at 1).
/// </summary>
internal struct FlatEntry<TKey, TValue>
    where TKey : unmanaged
    where TValue : struct
{
    public TKey Key;
    public TValue Value;

    /// <summary>The table version the entry was last written in; 0: the slot is empty.</summary>
    public int Stamp;

    /// <summary>The key group of <see cref="Key"/>, computed once when the key was inserted.</summary>
    public int KeyGroup;
}
