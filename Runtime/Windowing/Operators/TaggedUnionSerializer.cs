using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// A <see cref="TaggedUnion{T1, T2}"/> as a tag byte (1 = first stream, 2 = second) and the element written by its
/// stream's serializer. The element serializers come from the registry on first use, so serializers the user
/// registers after defining the join are honoured.
/// </summary>
internal sealed class TaggedUnionSerializer<T1, T2>(SerializerRegistry registry) : IRecordSerializer<TaggedUnion<T1, T2>>
{
    private IRecordSerializer<T1>? _one;
    private IRecordSerializer<T2>? _two;

    private IRecordSerializer<T1> One => _one ??= registry.Get<T1>();

    private IRecordSerializer<T2> Two => _two ??= registry.Get<T2>();

    public void Serialize(TaggedUnion<T1, T2> value, DataOutputSerializer output)
    {
        if (value.IsOne)
        {
            output.WriteByte(1);
            One.Serialize(value.One, output);
        }
        else
        {
            output.WriteByte(2);
            Two.Serialize(value.Two, output);
        }
    }

    public TaggedUnion<T1, T2> Deserialize(ref DataInputView input) => input.ReadByte() switch
    {
        1 => TaggedUnion<T1, T2>.OfOne(One.Deserialize(ref input)),
        2 => TaggedUnion<T1, T2>.OfTwo(Two.Deserialize(ref input)),
        var tag => throw new SerializationException($"Invalid tagged-union tag {tag} at offset {input.Position - 1} (expected 1 or 2)."),
    };
}
