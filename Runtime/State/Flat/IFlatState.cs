namespace DataflowCompiler.State.Flat;

/// <summary>What <see cref="BinaryKeyedStateBackend{TKey}"/> needs of a flat state beyond its table: its name and keys.</summary>
internal interface IFlatState<TKey> : IStateTable
{
    StateDescriptor Descriptor { get; }

    /// <summary>The keys that have an entry (<see cref="BinaryKeyedStateBackend{TKey}.GetKeys"/>).</summary>
    IEnumerable<TKey> Keys();
}
