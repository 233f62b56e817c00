using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Finds the <see cref="IRecordSerializer{T}"/> for a type: serializers the user registered first,
/// then the built-in ones. A type with none gets a <see cref="SerializationException"/> that names
/// the type and how to register one.
/// </summary>
public sealed class SerializerRegistry
{
    private readonly ConcurrentDictionary<Type, object> _registered = new();
    private readonly ConcurrentDictionary<Type, object> _resolved = new();

    /// <summary>Registers (or replaces) the serializer used for <typeparamref name="T"/>.</summary>
    public void Register<T>(IRecordSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _registered[typeof(T)] = serializer;
        _resolved.Clear();
    }

    /// <summary>The serializer for <typeparamref name="T"/>, or a <see cref="SerializationException"/> saying why there is none.</summary>
    public IRecordSerializer<T> Get<T>()
    {
        if (TryGet<T>(out var serializer))
        {
            return serializer;
        }
        throw new SerializationException(
            $"No serializer for type '{typeof(T).FullName}'. Register one with Register<{typeof(T).Name}>(...) " +
            "(for example a class implementing IRecordSerializer<T> composed from the serializers of its fields).");
    }

    /// <summary>Looks up the serializer for <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(out IRecordSerializer<T> serializer)
    {
        if (_resolved.TryGetValue(typeof(T), out var found) || _registered.TryGetValue(typeof(T), out found))
        {
            serializer = (IRecordSerializer<T>)found;
            return true;
        }
        var built = BuiltIn<T>();
        if (built is not null)
        {
            _resolved[typeof(T)] = built;
            serializer = built;
            return true;
        }
        serializer = null!;
        return false;
    }

    // Minimal set for now: unmanaged values as bytes and strings. Composite types come next.
    private static IRecordSerializer<T>? BuiltIn<T>()
    {
        if (typeof(T) == typeof(string))
        {
            return (IRecordSerializer<T>)(object)new StringSerializer();
        }
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            return (IRecordSerializer<T>)Activator.CreateInstance(typeof(UnmanagedSerializer<>).MakeGenericType(typeof(T)))!;
        }
        return null;
    }
}
