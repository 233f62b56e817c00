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
}
