using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DataflowCompiler.Generator.Serialization;

/// <summary>
/// Turns the types that need a serializer into <see cref="SerializableTypeSpec"/>s. A type that is not
/// supported (see docs/serializers.md) yields nothing: the analyzers report it, the generator stays silent.
/// </summary>
internal sealed class SerializerParser
{
    private static readonly SymbolDisplayFormat s_typeName = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(
        SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly Compilation _compilation;
    private readonly CancellationToken _cancellationToken;
    private readonly HashSet<ITypeSymbol> _optedIn;
    private readonly Dictionary<ITypeSymbol, SerializableTypeSpec?> _analyzed = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ITypeSymbol> _inProgress = new(SymbolEqualityComparer.Default);

    private SerializerParser(Compilation compilation, CancellationToken cancellationToken)
    {
        _compilation = compilation;
        _cancellationToken = cancellationToken;
        _optedIn = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var attribute in compilation.Assembly.GetAttributes())
        {
            if (IsSerializableAttribute(attribute.AttributeClass) && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is INamedTypeSymbol named)
            {
                _optedIn.Add(named);
            }
        }
    }

    /// <summary>The target of a <c>[DataflowSerializable]</c>: a type, or the types an assembly-level attribute names.</summary>
    public static EquatableArray<SerializableTypeSpec> ParseAttributeTarget(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var parser = new SerializerParser(context.SemanticModel.Compilation, cancellationToken);
        if (context.TargetSymbol is INamedTypeSymbol type)
        {
            parser.Analyze(type);
        }
        else
        {
            foreach (var attribute in context.Attributes)
            {
                if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is INamedTypeSymbol named)
                {
                    parser.Analyze(named);
                }
            }
        }
        return parser.Results();
    }

    /// <summary>The user types used as record or key types of streams inside a <c>[DataflowJob]</c> class.</summary>
    public static EquatableArray<SerializableTypeSpec> ParseJob(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var parser = new SerializerParser(context.SemanticModel.Compilation, cancellationToken);
        var model = context.SemanticModel;
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var node in context.TargetNode.DescendantNodes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node is InvocationExpressionSyntax or ObjectCreationExpressionSyntax or VariableDeclarationSyntax
                && model.GetTypeInfo(node is VariableDeclarationSyntax declaration ? declaration.Type : node, cancellationToken).Type is INamedTypeSymbol result
                && seen.Add(result))
            {
                foreach (var recordType in StreamTypeArguments(result))
                {
                    parser.AnalyzeDiscovered(recordType);
                }
            }
        }
        return parser.Results();
    }

    private static IEnumerable<ITypeSymbol> StreamTypeArguments(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.ContainingNamespace?.ToDisplayString() == KnownNames.StreamNamespace
                && (current.Name.EndsWith("Stream", StringComparison.Ordinal) || current.Name.EndsWith("Streams", StringComparison.Ordinal)))
            {
                foreach (var argument in current.TypeArguments)
                {
                    yield return argument;
                }
            }
        }
    }

    private EquatableArray<SerializableTypeSpec> Results() =>
        new(_analyzed.Values.Where(spec => spec is not null).Select(spec => spec!).OrderBy(spec => spec.DisplayName, StringComparer.Ordinal));

    /// <summary>A record or key type of a stream: its user types (also inside tuples, arrays, lists, nullables) that need a generated serializer.</summary>
    private void AnalyzeDiscovered(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                AnalyzeDiscovered(array.ElementType);
                break;
            case INamedTypeSymbol named when named.IsGenericType:
                foreach (var argument in named.TypeArguments)
                {
                    AnalyzeDiscovered(argument);
                }
                break;
            case INamedTypeSymbol named when IsCandidate(named) && !named.IsUnmanagedType:
                // Unmanaged structs are copied as bytes by the registry; only annotated ones get a member-wise serializer.
                Analyze(named);
                break;
        }
    }

    /// <summary>A type of this compilation (or opted in) that may get a generated serializer.</summary>
    private bool IsCandidate(INamedTypeSymbol type) =>
        type.TypeKind is TypeKind.Class or TypeKind.Struct && type.SpecialType == SpecialType.None
        && (SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, _compilation.Assembly) || _optedIn.Contains(type));

    /// <summary>Analyzes <paramref name="type"/> and the user types of its members; the spec, or null when it is not supported.</summary>
    private SerializableTypeSpec? Analyze(INamedTypeSymbol type)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        type = (INamedTypeSymbol)type.WithNullableAnnotation(NullableAnnotation.NotAnnotated); // a member's Address? is type Address
        if (_analyzed.TryGetValue(type, out var done))
        {
            return done;
        }
        if (!_inProgress.Add(type))
        {
            return null; // a cycle: the type contains itself, directly or through other types
        }
        var spec = Build(type);
        _inProgress.Remove(type);
        _analyzed[type] = spec;
        return spec;
    }

    private SerializableTypeSpec? Build(INamedTypeSymbol type)
    {
        if (!IsCandidate(type) || type.IsGenericType || type.IsAbstract || type.IsStatic || type.IsRefLikeType || !IsReachable(type))
        {
            return null;
        }

        // Public instance fields and readable properties, base class first, each in declaration order.
        var hierarchy = new List<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            hierarchy.Insert(0, current);
        }
        var candidates = new List<(ISymbol Symbol, ITypeSymbol Type, bool Settable, bool Computed)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var declaring in hierarchy)
        {
            foreach (var member in declaring.GetMembers())
            {
                if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public)
                {
                    continue;
                }
                switch (member)
                {
                    case IFieldSymbol { IsConst: false } field:
                        if (!names.Add(field.Name))
                        {
                            return null; // hides a base member
                        }
                        candidates.Add((field, field.Type, !field.IsReadOnly, Computed: false));
                        break;
                    case IPropertySymbol { IsIndexer: false, GetMethod.DeclaredAccessibility: Accessibility.Public } property:
                        if (property.IsOverride)
                        {
                            continue; // the overridden declaration, in a base class, is already listed
                        }
                        if (property.ReturnsByRef || property.ReturnsByRefReadonly)
                        {
                            return null;
                        }
                        if (!names.Add(property.Name))
                        {
                            return null;
                        }
                        bool settable = property.SetMethod is { DeclaredAccessibility: Accessibility.Public };
                        candidates.Add((property, property.Type, settable, Computed: !settable && !IsAutoProperty(property)));
                        break;
                }
            }
        }

        var constructor = ChooseConstructor(type, candidates.Select(c => (c.Symbol.Name, c.Type)).ToList());
        if (constructor is null)
        {
            return null;
        }

        var members = new List<SerializableMemberSpec>();
        foreach (var (symbol, memberType, settable, computed) in candidates)
        {
            bool viaConstructor = constructor.Any(name => name == symbol.Name);
            if (!viaConstructor && !settable)
            {
                if (computed)
                {
                    continue; // derived from other members (an expression-bodied property)
                }
                return null; // state that can be neither passed to the constructor nor set
            }
            var member = Member(symbol.Name, memberType, viaConstructor);
            if (member is null)
            {
                return null;
            }
            members.Add(member);
        }

        string display = type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        return new SerializableTypeSpec(
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            display,
            HintName(type),
            type.Name + "Serializer",
            type.IsReferenceType,
            new EquatableArray<SerializableMemberSpec>(members),
            new EquatableArray<string>(constructor.Select(Escape)));
    }

    /// <summary>
    /// The member names to pass to a public constructor whose parameters all match members by name (ignoring case)
    /// and type — the one with most parameters, so a record's primary constructor wins — or an empty list for a
    /// public parameterless constructor; null when neither exists.
    /// </summary>
    private static List<string>? ChooseConstructor(INamedTypeSymbol type, List<(string Name, ITypeSymbol Type)> members)
    {
        List<string>? best = null;
        bool parameterless = type.IsValueType;
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility != Accessibility.Public)
            {
                continue;
            }
            if (constructor.Parameters.Length == 0)
            {
                parameterless = true;
                continue;
            }
            var matched = new List<string>();
            foreach (var parameter in constructor.Parameters)
            {
                if (parameter.RefKind != RefKind.None)
                {
                    break;
                }
                var match = members.FirstOrDefault(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(m.Type, parameter.Type));
                if (match.Name is null || matched.Contains(match.Name))
                {
                    break;
                }
                matched.Add(match.Name);
            }
            if (matched.Count == constructor.Parameters.Length && (best is null || matched.Count > best.Count))
            {
                best = matched;
            }
        }
        return best ?? (parameterless ? new List<string>() : null);
    }

    /// <summary>A get-only auto-property holds state; an expression-bodied one is computed. Metadata types do not tell, so theirs count as computed.</summary>
    private static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(field => SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property));

    private SerializableMemberSpec? Member(string name, ITypeSymbol type, bool viaConstructor)
    {
        string typeName = type.ToDisplayString(s_typeName);
        if (Primitive(type) is { } method)
        {
            return new SerializableMemberSpec(Escape(name), typeName, typeName, MemberEncoding.Primitive, method, viaConstructor, readNeedsSuppression: false);
        }
        if (type.SpecialType == SpecialType.System_String)
        {
            return new SerializableMemberSpec(Escape(name), typeName, typeName, MemberEncoding.String, null, viaConstructor,
                readNeedsSuppression: type.NullableAnnotation == NullableAnnotation.NotAnnotated);
        }
        if (!IsSupported(type, out bool generated))
        {
            return null;
        }
        if (generated && type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated)
        {
            // A nullable (or oblivious) reference to a generated type: a flag byte, then the value.
            string serializerType = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(s_typeName);
            return new SerializableMemberSpec(Escape(name), typeName, serializerType, MemberEncoding.NullableSerializer, null, viaConstructor, readNeedsSuppression: false);
        }
        if (type.IsUnmanagedType && !generated && !IsSpecialComposite(type))
        {
            return new SerializableMemberSpec(Escape(name), typeName, typeName, MemberEncoding.Unmanaged, null, viaConstructor, readNeedsSuppression: false);
        }
        return new SerializableMemberSpec(Escape(name), typeName, typeName, MemberEncoding.Serializer, null, viaConstructor, readNeedsSuppression: false);
    }

    /// <summary>
    /// Whether the registry can serialize <paramref name="type"/> once the generated serializers are registered;
    /// <paramref name="generated"/> tells whether its serializer is a generated one (this compilation's or another assembly's).
    /// </summary>
    private bool IsSupported(ITypeSymbol type, out bool generated)
    {
        generated = false;
        if (Primitive(type) is not null || type.SpecialType is SpecialType.System_String or SpecialType.System_Decimal or SpecialType.System_DateTime)
        {
            return true;
        }
        switch (type)
        {
            case IArrayTypeSymbol array:
                return array.IsSZArray && IsSupported(array.ElementType, out _);
            case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                return true;
            case INamedTypeSymbol named when named.IsTupleType:
                return named.TupleElements.Length <= 7 && named.TupleElements.All(element => IsSupported(element.Type, out _));
            case INamedTypeSymbol named when named.IsGenericType:
                string definition = named.ConstructedFrom.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                return definition is "global::System.Nullable<T>" or "global::System.Collections.Generic.List<T>"
                        or "global::System.Collections.Generic.IReadOnlyList<T>" or "global::System.Collections.Generic.IList<T>"
                    && IsSupported(named.TypeArguments[0], out _);
            case INamedTypeSymbol named when IsSpecialComposite(named):
                return true;
            case INamedTypeSymbol named when HasSerializableAttribute(named) || _optedIn.Contains(named):
                generated = true;
                // Annotated in another assembly: that assembly's generator registered it. Otherwise it is generated here.
                return !IsCandidate(named) || Analyze(named) is not null;
            case INamedTypeSymbol named when named.IsUnmanagedType:
                return true; // copied as bytes, as the registry does
            case INamedTypeSymbol named when IsCandidate(named):
                generated = true;
                return Analyze(named) is not null;
            default:
                return false;
        }
    }

    /// <summary>Unmanaged types the registry serializes specially rather than as raw bytes.</summary>
    private static bool IsSpecialComposite(ITypeSymbol type) =>
        type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::System.DateTimeOffset"
        || type is INamedTypeSymbol { IsGenericType: true } named
            && (named.IsTupleType || named.ConstructedFrom.SpecialType == SpecialType.System_Nullable_T);

    private static string? Primitive(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Boolean => "Boolean",
        SpecialType.System_Byte => "Byte",
        SpecialType.System_SByte => "SByte",
        SpecialType.System_Int16 => "Int16",
        SpecialType.System_UInt16 => "UInt16",
        SpecialType.System_Char => "Char",
        SpecialType.System_Int32 => "Int32",
        SpecialType.System_UInt32 => "UInt32",
        SpecialType.System_Int64 => "Int64",
        SpecialType.System_UInt64 => "UInt64",
        SpecialType.System_Single => "Single",
        SpecialType.System_Double => "Double",
        _ => null,
    };

    /// <summary>The type and its containing types are public, or internal to this compilation, and not file-local.</summary>
    private bool IsReachable(INamedTypeSymbol type)
    {
        bool own = SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, _compilation.Assembly);
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal || !(current.DeclaredAccessibility == Accessibility.Public || own && current.DeclaredAccessibility == Accessibility.Internal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>MyApp.Outer+Inner.Serializer.g.cs</c>: nesting marked apart from namespaces so two types never share a file name.</summary>
    private static string HintName(INamedTypeSymbol type)
    {
        string name = type.Name;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.Name + "+" + name;
        }
        return (type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." : "") + name + ".Serializer.g.cs";
    }

    private static bool HasSerializableAttribute(INamedTypeSymbol type) =>
        type.GetAttributes().Any(attribute => IsSerializableAttribute(attribute.AttributeClass));

    private static bool IsSerializableAttribute(INamedTypeSymbol? attribute) =>
        attribute?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::" + KnownNames.DataflowSerializableAttribute;

    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
