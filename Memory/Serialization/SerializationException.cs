namespace DataflowCompiler.Memory.Serialization;

/// <summary>Raised when bytes cannot be turned back into a record, or a type cannot be serialized.</summary>
public sealed class SerializationException : Exception
{
    public SerializationException(string message) : base(message) { }
    public SerializationException(string message, Exception inner) : base(message, inner) { }
}
