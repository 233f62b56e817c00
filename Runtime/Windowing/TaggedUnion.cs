namespace DataflowCompiler.Windowing;

/// <summary>
/// An element of one of two streams, as a window join or co-group keeps them in one window (Flink's TaggedUnion):
/// exactly one of <see cref="One"/> and <see cref="Two"/> is set, as <see cref="IsOne"/> says.
/// </summary>
public readonly struct TaggedUnion<T1, T2>
{
    private TaggedUnion(bool isOne, T1 one, T2 two)
    {
        IsOne = isOne;
        One = one;
        Two = two;
    }

    /// <summary>True for an element of the first stream.</summary>
    public bool IsOne { get; }

    /// <summary>The element of the first stream (default when <see cref="IsOne"/> is false).</summary>
    public T1 One { get; }

    /// <summary>The element of the second stream (default when <see cref="IsOne"/> is true).</summary>
    public T2 Two { get; }

    /// <summary>An element of the first stream.</summary>
    public static TaggedUnion<T1, T2> OfOne(T1 value) => new(true, value, default!);

    /// <summary>An element of the second stream.</summary>
    public static TaggedUnion<T1, T2> OfTwo(T2 value) => new(false, default!, value);

    /// <inheritdoc />
    public override string ToString() => IsOne ? $"One({One})" : $"Two({Two})";
}
