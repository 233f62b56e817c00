using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>
/// Names a piece of keyed state and says how its values are serialized. The name is unique per
/// operator; asking twice with the same name gives the same state.
/// </summary>
public abstract class StateDescriptor
{
    protected StateDescriptor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A state descriptor needs a non-empty name.", nameof(name));
        }
        Name = name;
    }

    /// <summary>The state's name, unique within its operator.</summary>
    public string Name { get; }

    /// <summary>Kind of state, for error messages ("value", "list", ...).</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// The serializer of one part (<paramref name="role"/>: "value", "element", ...) of this state: the descriptor's own
    /// (<paramref name="given"/>), else the registry's; otherwise an error that names <paramref name="subject"/> (how the
    /// backend calls this state), the part and the operator.
    /// </summary>
    internal IRecordSerializer<T> ResolveSerializer<T>(IRecordSerializer<T>? given, SerializerRegistry serializers, string subject, string role, string operatorName)
    {
        if (given is not null)
        {
            return given;
        }
        if (serializers.TryGet<T>(out var serializer))
        {
            return serializer;
        }
        throw new SerializationException(
            $"{subject} of type '{typeof(T).FullName}': no serializer for its {role} in operator '{operatorName}'. " +
            $"Pass one in the descriptor or register it with SerializerRegistry.Register<{typeof(T).Name}>(...).");
    }
}
