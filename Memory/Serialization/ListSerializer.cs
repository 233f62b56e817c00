namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Lists as a variable-length prefix (count + 1, 0 for null) followed by each element written by
/// the serializer of <typeparamref name="T"/> — the same bytes as <see cref="ArraySerializer{T}"/>.
/// Also serves <see cref="IReadOnlyList{T}"/> and <see cref="IList{T}"/>, which read back as a
/// <see cref="List{T}"/>.
/// </summary>
public sealed class ListSerializer<T> : IRecordSerializer<List<T>>, IRecordSerializer<IReadOnlyList<T>>, IRecordSerializer<IList<T>>
{
    private readonly IRecordSerializer<T> _element;

    /// <summary>Creates a serializer that writes elements with <paramref name="element"/>.</summary>
    public ListSerializer(IRecordSerializer<T> element)
    {
        ArgumentNullException.ThrowIfNull(element);
        _element = element;
    }

    /// <inheritdoc/>
    public void Serialize(List<T> value, DataOutputSerializer output)
    {
        if (value is null)
        {
            output.WriteVarUInt32(0);
            return;
        }
        output.WriteVarUInt32((uint)value.Count + 1);
        foreach (var item in value)
        {
            _element.Serialize(item, output);
        }
    }

    void IRecordSerializer<IReadOnlyList<T>>.Serialize(IReadOnlyList<T> value, DataOutputSerializer output)
    {
        if (value is null)
        {
            output.WriteVarUInt32(0);
            return;
        }
        int count = value.Count;
        output.WriteVarUInt32((uint)count + 1);
        for (int i = 0; i < count; i++)
        {
            _element.Serialize(value[i], output);
        }
    }

    // Lists and arrays are IReadOnlyList<T> too; other IList<T> implementations are copied once.
    void IRecordSerializer<IList<T>>.Serialize(IList<T> value, DataOutputSerializer output) =>
        ((IRecordSerializer<IReadOnlyList<T>>)this).Serialize(value as IReadOnlyList<T> ?? value?.ToArray()!, output);

    /// <inheritdoc/>
    public List<T> Deserialize(ref DataInputView input)
    {
        uint countPlusOne = input.ReadVarUInt32();
        if (countPlusOne == 0)
        {
            return null!;
        }
        int count = CollectionLength.ToInt32(countPlusOne - 1, input.Position);
        var list = new List<T>(CollectionLength.SafeCapacity(count, input.Remaining));
        for (int i = 0; i < count; i++)
        {
            list.Add(_element.Deserialize(ref input));
        }
        return list;
    }

    IReadOnlyList<T> IRecordSerializer<IReadOnlyList<T>>.Deserialize(ref DataInputView input) => Deserialize(ref input);

    IList<T> IRecordSerializer<IList<T>>.Deserialize(ref DataInputView input) => Deserialize(ref input);
}
