namespace DataflowCompiler.Functions;

/// <summary>Names a side output of type <typeparamref name="T"/>. Two tags are the same side output when their ids are equal.</summary>
public sealed class OutputTag<T> : IEquatable<OutputTag<T>>
{
    public OutputTag(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("An output tag needs a non-empty id.", nameof(id));
        }
        Id = id;
    }

    public string Id { get; }

    public bool Equals(OutputTag<T>? other) => other is not null && other.Id == Id;

    public override bool Equals(object? obj) => obj is OutputTag<T> other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);

    public override string ToString() => $"OutputTag<{typeof(T).Name}>({Id})";
}
