using System;
using System.Collections;
using System.Collections.Generic;

namespace DataflowCompiler.Generator.Serialization;

/// <summary>
/// An immutable array compared by its elements, so generator models that hold one stay equatable and
/// the incremental pipeline can tell that nothing changed.
/// </summary>
internal sealed class ImmutableEquatableArray<T> : IEquatable<ImmutableEquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    public static readonly ImmutableEquatableArray<T> Empty = new(Array.Empty<T>());

    private readonly T[] _items;

    public ImmutableEquatableArray(IEnumerable<T> items) => _items = items is T[] array ? (T[])array.Clone() : new List<T>(items).ToArray();

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public bool Equals(ImmutableEquatableArray<T>? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._items.Length != _items.Length)
        {
            return false;
        }
        for (int i = 0; i < _items.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is ImmutableEquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (var item in _items)
        {
            hash = unchecked((hash * 31) + (item is null ? 0 : item.GetHashCode()));
        }
        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
