using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace DataflowCompiler.Memory.Serialization;

/// <summary>
/// Finds the <see cref="IRecordSerializer{T}"/> for a type: serializers the user registered first,
/// then the serializers the compile-time generator registered (<see cref="RegisterGenerated{T}"/>),
/// then the built-in ones. A type with none gets a <see cref="SerializationException"/> that names
/// the type (and, for a composite type, the element that has no serializer) and how to register one.
/// </summary>
/// <remarks>
/// Built in, in this order: <see cref="string"/> (UTF-8), <c>byte[]</c>, <see cref="bool"/>,
/// <see cref="DateTimeOffset"/>, <see cref="Nullable{T}"/>, value tuples of 1 to 7 elements,
/// arrays, <see cref="List{T}"/> / <see cref="IReadOnlyList{T}"/> / <see cref="IList{T}"/>, and every
/// unmanaged type (primitives, <see cref="decimal"/>, enums, <see cref="DateTime"/> with its kind,
/// <see cref="TimeSpan"/>, <see cref="Guid"/>, user structs without references) copied as raw bytes.
/// Element types of composites are resolved through the registry, so registered user records work
/// inside lists, tuples and nullables. Reflection runs once per type at resolution; the resolved
/// serializers are cached and do nothing reflective per record.
/// Serializers write the same bytes for the same value. Values that compare equal but differ in
/// representation (<c>1.0m</c> and <c>1.00m</c>, <c>0.0</c> and <c>-0.0</c>, DateTimes of different
/// kinds) keep their representation and so give different bytes, as Flink does.
/// Register serializers before resolving types that contain them; resolved composites are cached.
/// </remarks>
public sealed class SerializerRegistry
{
    private static readonly MethodInfo s_containsReferences =
        typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!;

    /// <summary>Generated serializer factories, process-wide.</summary>
    private static readonly ConcurrentDictionary<Type, GeneratedFactory> s_generated = new();

    private readonly ConcurrentDictionary<Type, object> _registered = new();
    private readonly ConcurrentDictionary<Type, object> _resolved = new();

    /// <summary>Registers (or replaces) the serializer used for <typeparamref name="T"/>.</summary>
    public void Register<T>(IRecordSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _registered[typeof(T)] = serializer;
        _resolved.Clear(); // composites resolved earlier may hold the serializer this one replaces
    }

    /// <summary>
    /// Registers, for every registry in the process, a generated serializer for <typeparamref name="T"/>.
    /// Called by the module initializers the compile-time generator emits; user code calls <see cref="Register{T}"/>.
    /// </summary>
    /// <param name="factory">
    /// Creates the serializer for one registry; it takes the serializers of the type's members from that
    /// registry once, so a user registration for a member type is honoured.
    /// </param>
    /// <remarks>
    /// A registry consults generated serializers after its own registrations and before the built-in ones.
    /// Register before resolving types that contain <typeparamref name="T"/>; resolved composites are cached.
    /// </remarks>
    public static void RegisterGenerated<T>(Func<SerializerRegistry, IRecordSerializer<T>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        s_generated[typeof(T)] = new GeneratedFactory<T>(factory);
    }

    /// <summary>The serializer for <typeparamref name="T"/>, or a <see cref="SerializationException"/> saying why there is none.</summary>
    public IRecordSerializer<T> Get<T>() => (IRecordSerializer<T>)Get(typeof(T));

    /// <summary>
    /// The serializer for <paramref name="type"/> (an <c>IRecordSerializer&lt;type&gt;</c>), or a
    /// <see cref="SerializationException"/> saying why there is none.
    /// </summary>
    public object Get(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Failure? failure = null;
        return Resolve(type, ref failure) ?? throw failure!.ToException();
    }

    /// <summary>Looks up the serializer for <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(out IRecordSerializer<T> serializer)
    {
        Failure? failure = null;
        var found = Resolve(typeof(T), ref failure);
        serializer = (IRecordSerializer<T>)found!;
        return found is not null;
    }

    /// <summary>Whether <typeparamref name="T"/> has a serializer (registered or built in).</summary>
    public bool CanSerialize<T>() => CanSerialize(typeof(T));

    /// <summary>Whether <paramref name="type"/> has a serializer (registered or built in).</summary>
    public bool CanSerialize(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Failure? failure = null;
        return Resolve(type, ref failure) is not null;
    }

    private object? Resolve(Type type, ref Failure? failure)
    {
        if (_registered.TryGetValue(type, out var serializer) || _resolved.TryGetValue(type, out serializer))
        {
            return serializer;
        }
        serializer = Generated(type) ?? Build(type, ref failure);
        // One instance per type even when threads race to resolve it.
        return serializer is null ? null : _resolved.GetOrAdd(type, serializer);
    }

    private object? Generated(Type type)
    {
        if (!s_generated.TryGetValue(type, out var factory))
        {
            // The generated registrations run in the module initializer of the type's assembly, which may
            // not have run yet if nothing in that assembly was called; run it (once) and look again.
            RuntimeHelpers.RunModuleConstructor(type.Module.ModuleHandle);
            if (!s_generated.TryGetValue(type, out factory))
            {
                return null;
            }
        }
        return factory.Create(this);
    }

    private object? Build(Type type, ref Failure? failure)
    {
        if (type.IsPointer || type.IsByRef || type.IsByRefLike || type.ContainsGenericParameters)
        {
            failure = new Failure(type, "pointers, byrefs, ref structs and open generic types cannot be records");
            return null;
        }
        if (type == typeof(string))
        {
            return new StringSerializer();
        }
        if (type == typeof(byte[]))
        {
            return new ByteArraySerializer();
        }
        if (type == typeof(bool))
        {
            return new BooleanSerializer();
        }
        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffsetSerializer();
        }
        if (type.IsSZArray)
        {
            return Compose(typeof(ArraySerializer<>), type, [type.GetElementType()!], ref failure);
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(Nullable<>))
            {
                return Compose(typeof(NullableSerializer<>), type, arguments, ref failure);
            }
            if (ValueTupleSerializerFor(definition) is { } tupleSerializer)
            {
                return Compose(tupleSerializer, type, arguments, ref failure);
            }
            if (definition == typeof(ValueTuple<,,,,,,,>))
            {
                failure = new Failure(type, "value tuples of more than 7 elements are not supported; use a record with a registered serializer");
                return null;
            }
            if (definition == typeof(List<>))
            {
                return Compose(typeof(ListSerializer<>), type, arguments, ref failure);
            }
            if (definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>))
            {
                // Served by the List<T> serializer, which implements these interfaces as well.
                return Resolve(typeof(List<>).MakeGenericType(arguments), ref failure) is { } list ? list : Fail(type, ref failure);
            }
        }
        if (type.IsValueType && !(bool)s_containsReferences.MakeGenericMethod(type).Invoke(null, null)!)
        {
            return Activator.CreateInstance(typeof(UnmanagedSerializer<>).MakeGenericType(type))!;
        }
        failure = new Failure(type, reason: null);
        return null;
    }

    private object? Compose(Type serializerDefinition, Type composite, Type[] elements, ref Failure? failure)
    {
        var elementSerializers = new object[elements.Length];
        for (int i = 0; i < elements.Length; i++)
        {
            if (Resolve(elements[i], ref failure) is not { } element)
            {
                return Fail(composite, ref failure);
            }
            elementSerializers[i] = element;
        }
        return Activator.CreateInstance(serializerDefinition.MakeGenericType(elements), elementSerializers)!;
    }

    private static object? Fail(Type composite, ref Failure? failure)
    {
        failure!.Containers.Add(composite);
        return null;
    }

    private static Type? ValueTupleSerializerFor(Type definition)
    {
        if (definition == typeof(ValueTuple<>)) return typeof(ValueTupleSerializer<>);
        if (definition == typeof(ValueTuple<,>)) return typeof(ValueTupleSerializer<,>);
        if (definition == typeof(ValueTuple<,,>)) return typeof(ValueTupleSerializer<,,>);
        if (definition == typeof(ValueTuple<,,,>)) return typeof(ValueTupleSerializer<,,,>);
        if (definition == typeof(ValueTuple<,,,,>)) return typeof(ValueTupleSerializer<,,,,>);
        if (definition == typeof(ValueTuple<,,,,,>)) return typeof(ValueTupleSerializer<,,,,,>);
        if (definition == typeof(ValueTuple<,,,,,,>)) return typeof(ValueTupleSerializer<,,,,,,>);
        return null;
    }

    private abstract class GeneratedFactory
    {
        public abstract object Create(SerializerRegistry registry);
    }

    private sealed class GeneratedFactory<T>(Func<SerializerRegistry, IRecordSerializer<T>> factory) : GeneratedFactory
    {
        public override object Create(SerializerRegistry registry) =>
            factory(registry) ?? throw new SerializationException($"The generated serializer factory for '{DisplayName(typeof(T))}' returned null.");
    }

    /// <summary>The type that has no serializer and the composites (innermost first) that contain it.</summary>
    private sealed class Failure(Type missing, string? reason)
    {
        public List<Type> Containers { get; } = [];

        public SerializationException ToException()
        {
            var message = new StringBuilder();
            message.Append("No serializer for type '").Append(DisplayName(missing)).Append('\'');
            for (int i = 0; i < Containers.Count; i++)
            {
                message.Append(i == 0 ? " (element of '" : " in '").Append(DisplayName(Containers[i])).Append('\'');
            }
            if (Containers.Count > 0)
            {
                message.Append(')');
            }
            message.Append(reason is null
                ? $". Register one with registry.Register<{ShortName(missing)}>(...), for example RecordSerializer.Create<{ShortName(missing)}>(write, read) composed from the serializers of its fields."
                : $": {reason}.");
            return new SerializationException(message.ToString());
        }
    }

    /// <summary>A C#-like full name: <c>System.Collections.Generic.List&lt;MyApp.Foo&gt;</c>, <c>MyApp.Outer.Inner</c>.</summary>
    internal static string DisplayName(Type type)
    {
        if (type.IsArray)
        {
            return DisplayName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }
        if (type.IsPointer || type.IsByRef)
        {
            return DisplayName(type.GetElementType()!) + (type.IsPointer ? "*" : "&");
        }
        if (type.IsGenericParameter)
        {
            return type.Name;
        }
        string name = (type.IsNested ? DisplayName(type.DeclaringType!) + "." : type.Namespace is { } ns ? ns + "." : "") + StripArity(type.Name);
        if (!type.IsGenericType)
        {
            return name;
        }
        // Arguments of a nested generic type include the declaring type's; show only this type's own.
        var arguments = type.GetGenericArguments().Skip(type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0);
        return name + "<" + string.Join(", ", arguments.Select(DisplayName)) + ">";
    }

    private static string ShortName(Type type) =>
        type.IsGenericType
            ? StripArity(type.Name) + "<" + string.Join(", ", type.GetGenericArguments().Select(ShortName)) + ">"
            : type.IsArray ? ShortName(type.GetElementType()!) + "[]" : type.Name;

    private static string StripArity(string name) => name.IndexOf('`') is var tick and >= 0 ? name[..tick] : name;
}
