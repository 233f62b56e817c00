namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Arrays as a variable-length prefix (count + 1, 0 for null) followed by each element written by
/// the serializer of <typeparamref name="T"/>. Null survives the round trip and is distinct from empty.
/// </summary>
public sealed class ArraySerializer<T> : IRecordSerializer<T[]>
{
    private readonly IRecordSerializer<T> _element;

    /// <summary>Creates a serializer that writes elements with <paramref name="element"/>.</summary>
    public ArraySerializer(IRecordSerializer<T> element)
    {
        ArgumentNullException.ThrowIfNull(element);
        _element = element;
    }

    /// <inheritdoc/>
    public void Serialize(T[] value, DataOutputSerializer output)
    {
        if (value is null)
        {
            output.WriteVarUInt32(0);
            return;
        }
        output.WriteVarUInt32((uint)value.Length + 1);
        foreach (var item in value)
        {
            _element.Serialize(item, output);
        }
    }

    /// <inheritdoc/>
    public T[] Deserialize(ref DataInputView input)
    {
        uint countPlusOne = input.ReadVarUInt32();
        if (countPlusOne == 0)
        {
            return null!;
        }
        int count = CollectionLength.ToInt32(countPlusOne - 1, input.Position);
        if (count <= input.Remaining)
        {
            var array = new T[count];
            for (int i = 0; i < array.Length; i++)
            {
                array[i] = _element.Deserialize(ref input);
            }
            return array;
        }
        // More elements than bytes left: only possible for elements written as zero bytes, or
        // corrupt input. Grow as we go so a corrupt count cannot allocate a huge array up front.
        var list = new List<T>(input.Remaining);
        for (int i = 0; i < count; i++)
        {
            list.Add(_element.Deserialize(ref input));
        }
        return list.ToArray();
    }
}
