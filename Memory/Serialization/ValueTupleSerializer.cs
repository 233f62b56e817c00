using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataflowCompiler.Memory.Serialization;

// The seven arities of one generic family live in one file, as System.ValueTuple does in the BCL:
// they are the same type at different arities and are read and changed together.

/// <summary>
/// <see cref="ValueTuple{T1}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding.
/// </summary>
public sealed class ValueTupleSerializer<T1> : IRecordSerializer<ValueTuple<T1>>
{
    private readonly IRecordSerializer<T1> _item1;

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1)
    {
        ArgumentNullException.ThrowIfNull(item1);
        _item1 = item1;
    }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        return new ValueTuple<T1>(item1);
    }
}

/// <summary>
/// <see cref="ValueTuple{T1, T2}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding. When both elements have fixed-size
/// serializers (<see cref="IFixedSizeSerializer{T}"/>), so does the tuple: pairs such as <c>(long Key, long Value)</c>
/// are the common rolling-aggregate record, which keyed state then updates in place.
/// </summary>
public sealed class ValueTupleSerializer<T1, T2> : IFixedSizeSerializer<ValueTuple<T1, T2>>
{
    private readonly IRecordSerializer<T1> _item1;
    private readonly IRecordSerializer<T2> _item2;
    private readonly IFixedSizeSerializer<T1>? _fixed1;
    private readonly IFixedSizeSerializer<T2>? _fixed2;
    private readonly int _size1;
    private readonly bool _raw; // both elements are UnmanagedSerializer: their bytes are copied directly

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1, IRecordSerializer<T2> item2)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        _item1 = item1;
        _item2 = item2;
        if (item1 is IFixedSizeSerializer<T1> { FixedSize: > 0 } fixed1 && item2 is IFixedSizeSerializer<T2> { FixedSize: > 0 } fixed2)
        {
            _fixed1 = fixed1;
            _fixed2 = fixed2;
            _size1 = fixed1.FixedSize;
            FixedSize = _size1 + fixed2.FixedSize;
            _raw = IsUnmanagedSerializer(item1) && IsUnmanagedSerializer(item2);
        }
    }

    /// <inheritdoc/>
    public int FixedSize { get; }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1, T2> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
        _item2.Serialize(value.Item2, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        var item2 = _item2.Deserialize(ref input);
        return new ValueTuple<T1, T2>(item1, item2);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2> Read(ReadOnlySpan<byte> source)
    {
        if (_raw)
        {
            // What UnmanagedSerializer.Read does for each element, without the two interface calls.
            ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, FixedSize, nameof(source));
            ref byte start = ref MemoryMarshal.GetReference(source);
            return new ValueTuple<T1, T2>(Unsafe.ReadUnaligned<T1>(ref start), Unsafe.ReadUnaligned<T2>(ref Unsafe.Add(ref start, _size1)));
        }
        var (fixed1, fixed2) = FixedElements();
        return new ValueTuple<T1, T2>(fixed1.Read(source), fixed2.Read(source[_size1..]));
    }

    /// <inheritdoc/>
    public void Write(in ValueTuple<T1, T2> value, Span<byte> destination)
    {
        if (_raw)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, FixedSize, nameof(destination));
            ref byte start = ref MemoryMarshal.GetReference(destination);
            Unsafe.WriteUnaligned(ref start, value.Item1);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, _size1), value.Item2);
            return;
        }
        var (fixed1, fixed2) = FixedElements();
        fixed1.Write(value.Item1, destination);
        fixed2.Write(value.Item2, destination[_size1..]);
    }

    private static bool IsUnmanagedSerializer(object serializer) =>
        serializer.GetType().IsGenericType && serializer.GetType().GetGenericTypeDefinition() == typeof(UnmanagedSerializer<>);

    private (IFixedSizeSerializer<T1>, IFixedSizeSerializer<T2>) FixedElements() =>
        _fixed1 is not null && _fixed2 is not null
            ? (_fixed1, _fixed2)
            : throw new NotSupportedException($"({typeof(T1).Name}, {typeof(T2).Name}) has an element of variable length, so its binary form has no fixed size.");
}

/// <summary>
/// <see cref="ValueTuple{T1, T2, T3}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding.
/// </summary>
public sealed class ValueTupleSerializer<T1, T2, T3> : IRecordSerializer<ValueTuple<T1, T2, T3>>
{
    private readonly IRecordSerializer<T1> _item1;
    private readonly IRecordSerializer<T2> _item2;
    private readonly IRecordSerializer<T3> _item3;

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1, IRecordSerializer<T2> item2, IRecordSerializer<T3> item3)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        ArgumentNullException.ThrowIfNull(item3);
        _item1 = item1;
        _item2 = item2;
        _item3 = item3;
    }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1, T2, T3> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
        _item2.Serialize(value.Item2, output);
        _item3.Serialize(value.Item3, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2, T3> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        var item2 = _item2.Deserialize(ref input);
        var item3 = _item3.Deserialize(ref input);
        return new ValueTuple<T1, T2, T3>(item1, item2, item3);
    }
}

/// <summary>
/// <see cref="ValueTuple{T1, T2, T3, T4}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding.
/// </summary>
public sealed class ValueTupleSerializer<T1, T2, T3, T4> : IRecordSerializer<ValueTuple<T1, T2, T3, T4>>
{
    private readonly IRecordSerializer<T1> _item1;
    private readonly IRecordSerializer<T2> _item2;
    private readonly IRecordSerializer<T3> _item3;
    private readonly IRecordSerializer<T4> _item4;

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1, IRecordSerializer<T2> item2, IRecordSerializer<T3> item3, IRecordSerializer<T4> item4)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        ArgumentNullException.ThrowIfNull(item3);
        ArgumentNullException.ThrowIfNull(item4);
        _item1 = item1;
        _item2 = item2;
        _item3 = item3;
        _item4 = item4;
    }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1, T2, T3, T4> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
        _item2.Serialize(value.Item2, output);
        _item3.Serialize(value.Item3, output);
        _item4.Serialize(value.Item4, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2, T3, T4> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        var item2 = _item2.Deserialize(ref input);
        var item3 = _item3.Deserialize(ref input);
        var item4 = _item4.Deserialize(ref input);
        return new ValueTuple<T1, T2, T3, T4>(item1, item2, item3, item4);
    }
}

/// <summary>
/// <see cref="ValueTuple{T1, T2, T3, T4, T5}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding.
/// </summary>
public sealed class ValueTupleSerializer<T1, T2, T3, T4, T5> : IRecordSerializer<ValueTuple<T1, T2, T3, T4, T5>>
{
    private readonly IRecordSerializer<T1> _item1;
    private readonly IRecordSerializer<T2> _item2;
    private readonly IRecordSerializer<T3> _item3;
    private readonly IRecordSerializer<T4> _item4;
    private readonly IRecordSerializer<T5> _item5;

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1, IRecordSerializer<T2> item2, IRecordSerializer<T3> item3, IRecordSerializer<T4> item4, IRecordSerializer<T5> item5)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        ArgumentNullException.ThrowIfNull(item3);
        ArgumentNullException.ThrowIfNull(item4);
        ArgumentNullException.ThrowIfNull(item5);
        _item1 = item1;
        _item2 = item2;
        _item3 = item3;
        _item4 = item4;
        _item5 = item5;
    }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1, T2, T3, T4, T5> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
        _item2.Serialize(value.Item2, output);
        _item3.Serialize(value.Item3, output);
        _item4.Serialize(value.Item4, output);
        _item5.Serialize(value.Item5, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2, T3, T4, T5> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        var item2 = _item2.Deserialize(ref input);
        var item3 = _item3.Deserialize(ref input);
        var item4 = _item4.Deserialize(ref input);
        var item5 = _item5.Deserialize(ref input);
        return new ValueTuple<T1, T2, T3, T4, T5>(item1, item2, item3, item4, item5);
    }
}

/// <summary>
/// <see cref="ValueTuple{T1, T2, T3, T4, T5, T6}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding.
/// </summary>
public sealed class ValueTupleSerializer<T1, T2, T3, T4, T5, T6> : IRecordSerializer<ValueTuple<T1, T2, T3, T4, T5, T6>>
{
    private readonly IRecordSerializer<T1> _item1;
    private readonly IRecordSerializer<T2> _item2;
    private readonly IRecordSerializer<T3> _item3;
    private readonly IRecordSerializer<T4> _item4;
    private readonly IRecordSerializer<T5> _item5;
    private readonly IRecordSerializer<T6> _item6;

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1, IRecordSerializer<T2> item2, IRecordSerializer<T3> item3, IRecordSerializer<T4> item4, IRecordSerializer<T5> item5, IRecordSerializer<T6> item6)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        ArgumentNullException.ThrowIfNull(item3);
        ArgumentNullException.ThrowIfNull(item4);
        ArgumentNullException.ThrowIfNull(item5);
        ArgumentNullException.ThrowIfNull(item6);
        _item1 = item1;
        _item2 = item2;
        _item3 = item3;
        _item4 = item4;
        _item5 = item5;
        _item6 = item6;
    }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1, T2, T3, T4, T5, T6> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
        _item2.Serialize(value.Item2, output);
        _item3.Serialize(value.Item3, output);
        _item4.Serialize(value.Item4, output);
        _item5.Serialize(value.Item5, output);
        _item6.Serialize(value.Item6, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2, T3, T4, T5, T6> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        var item2 = _item2.Deserialize(ref input);
        var item3 = _item3.Deserialize(ref input);
        var item4 = _item4.Deserialize(ref input);
        var item5 = _item5.Deserialize(ref input);
        var item6 = _item6.Deserialize(ref input);
        return new ValueTuple<T1, T2, T3, T4, T5, T6>(item1, item2, item3, item4, item5, item6);
    }
}

/// <summary>
/// <see cref="ValueTuple{T1, T2, T3, T4, T5, T6, T7}"/> as its elements in order, each written by its own serializer
/// (resolved through the <see cref="SerializerRegistry"/>, so elements may be strings, lists or user records).
/// Never copied as raw bytes: tuples of mixed sizes have padding.
/// </summary>
public sealed class ValueTupleSerializer<T1, T2, T3, T4, T5, T6, T7> : IRecordSerializer<ValueTuple<T1, T2, T3, T4, T5, T6, T7>>
{
    private readonly IRecordSerializer<T1> _item1;
    private readonly IRecordSerializer<T2> _item2;
    private readonly IRecordSerializer<T3> _item3;
    private readonly IRecordSerializer<T4> _item4;
    private readonly IRecordSerializer<T5> _item5;
    private readonly IRecordSerializer<T6> _item6;
    private readonly IRecordSerializer<T7> _item7;

    /// <summary>Creates a tuple serializer from the serializers of its elements.</summary>
    public ValueTupleSerializer(IRecordSerializer<T1> item1, IRecordSerializer<T2> item2, IRecordSerializer<T3> item3, IRecordSerializer<T4> item4, IRecordSerializer<T5> item5, IRecordSerializer<T6> item6, IRecordSerializer<T7> item7)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        ArgumentNullException.ThrowIfNull(item3);
        ArgumentNullException.ThrowIfNull(item4);
        ArgumentNullException.ThrowIfNull(item5);
        ArgumentNullException.ThrowIfNull(item6);
        ArgumentNullException.ThrowIfNull(item7);
        _item1 = item1;
        _item2 = item2;
        _item3 = item3;
        _item4 = item4;
        _item5 = item5;
        _item6 = item6;
        _item7 = item7;
    }

    /// <inheritdoc/>
    public void Serialize(ValueTuple<T1, T2, T3, T4, T5, T6, T7> value, DataOutputSerializer output)
    {
        _item1.Serialize(value.Item1, output);
        _item2.Serialize(value.Item2, output);
        _item3.Serialize(value.Item3, output);
        _item4.Serialize(value.Item4, output);
        _item5.Serialize(value.Item5, output);
        _item6.Serialize(value.Item6, output);
        _item7.Serialize(value.Item7, output);
    }

    /// <inheritdoc/>
    public ValueTuple<T1, T2, T3, T4, T5, T6, T7> Deserialize(ref DataInputView input)
    {
        var item1 = _item1.Deserialize(ref input);
        var item2 = _item2.Deserialize(ref input);
        var item3 = _item3.Deserialize(ref input);
        var item4 = _item4.Deserialize(ref input);
        var item5 = _item5.Deserialize(ref input);
        var item6 = _item6.Deserialize(ref input);
        var item7 = _item7.Deserialize(ref input);
        return new ValueTuple<T1, T2, T3, T4, T5, T6, T7>(item1, item2, item3, item4, item5, item6, item7);
    }
}
