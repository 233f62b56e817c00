namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Builds serializers for user records by composing the serializers of their fields.
/// </summary>
/// <example>
/// A record <c>Click(string Url, int UserId)</c>, composed from the registry's string and int serializers:
/// <code>
/// var registry = new SerializerRegistry();
/// var url = registry.Get&lt;string&gt;();
/// var userId = registry.Get&lt;int&gt;();
/// registry.Register(RecordSerializer.Create&lt;Click&gt;(
///     (click, output) =&gt; { url.Serialize(click.Url, output); userId.Serialize(click.UserId, output); },
///     (ref DataInputView input) =&gt; new Click(url.Deserialize(ref input), userId.Deserialize(ref input))));
/// // registry.Get&lt;List&lt;Click&gt;&gt;() and registry.Get&lt;(Click, long)&gt;() now work as well.
/// </code>
/// Fields must be written and read in the same order. Arguments are evaluated left to right in C#,
/// so reading inside a constructor call as above is safe.
/// </example>
public static class RecordSerializer
{
    /// <summary>
    /// A serializer that calls <paramref name="write"/> and <paramref name="read"/>. The delegates
    /// must write the same bytes for equal records (keys are hashed over their bytes) and must not
    /// capture per-record state.
    /// </summary>
    public static IRecordSerializer<T> Create<T>(Action<T, DataOutputSerializer> write, ReadFunc<T> read)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        return new DelegateRecordSerializer<T>(write, read);
    }

    private sealed class DelegateRecordSerializer<T>(Action<T, DataOutputSerializer> write, ReadFunc<T> read) : IRecordSerializer<T>
    {
        public void Serialize(T value, DataOutputSerializer output) => write(value, output);

        public T Deserialize(ref DataInputView input) => read(ref input);
    }
}
