using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Analyzers;

/// <summary>Which types the serializer registry's built-ins and the serializer generator handle, and which make good keys.</summary>
internal static class TypeRules
{
    /// <summary>How diagnostics name types: as the user writes them, without nullable annotations.</summary>
    public static readonly SymbolDisplayFormat DisplayFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .RemoveMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Why <paramref name="type"/> cannot be a key (DFC0003), or <see langword="null"/> when it can.
    /// Keys are hashed by their serialized bytes, so they need a serializer whose bytes are equal exactly when the
    /// keys are equal: primitives, string, enums, Guid, DateTime, TimeSpan, tuples of those, or
    /// <c>[DataflowSerializable]</c> types — and, inside a <c>[DataflowJob]</c> class (where the serializer generator
    /// serves the stream types unasked), any class or record of the project it can generate a serializer for.</summary>
    public static string? KeyProblem(ITypeSymbol type, WellKnownTypes types, bool inJobClass)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_String:
            case SpecialType.System_DateTime:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
                return null;
            case SpecialType.System_Object:
                return "`object` has no serializer; key by a concrete type";
        }
        if (type.TypeKind == TypeKind.Enum || Is(type, types.Guid) || Is(type, types.TimeSpan) || Is(type, types.DateTimeOffset) || Is(type, types.Half))
        {
            return null;
        }
        if (type.TypeKind == TypeKind.TypeParameter)
        {
            // Generic helpers are checked where they are instantiated.
            return null;
        }
        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            if (tuple.TupleElements.Length > 7)
            {
                return "value tuples of more than 7 elements have no serializer";
            }
            foreach (var element in tuple.TupleElements)
            {
                if (KeyProblem(element.Type, types, inJobClass) is { } problem)
                {
                    return $"its element `{element.Name}` of type `{element.Type.ToDisplayString(DisplayFormat)}`: {problem}";
                }
            }
            return null;
        }
        if (type.TypeKind == TypeKind.Array || IsCollection(type, types))
        {
            return "arrays and lists compare by reference, not by content; key by a tuple or a [DataflowSerializable] record";
        }
        if (WellKnownTypes.HasAttribute(type, types.DataflowSerializableAttribute))
        {
            return null;
        }
        if (inJobClass && !type.IsUnmanagedType && type is INamedTypeSymbol named && IsInSource(named))
        {
            return GeneratableProblem(named, types) is { } problem ? $"the serializer generator cannot handle it: {problem}" : null;
        }
        return type.IsValueType && type.IsUnmanagedType
            ? "a struct copied as raw bytes hashes its padding, and its Equals may disagree with its bytes; mark it [DataflowSerializable]"
            : "it has no built-in serializer; key by a primitive, string, enum, Guid, DateTime, a tuple of those, or mark the type [DataflowSerializable]";
    }

    /// <summary>The part of key type <paramref name="type"/> whose equal values can serialize to different bytes (DFC0010),
    /// with why; <see langword="null"/> when there is none.</summary>
    public static (ITypeSymbol Part, string Why)? InexactKeyPart(ITypeSymbol type, WellKnownTypes types)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Single:
            case SpecialType.System_Double:
                return (type, "0.0 and -0.0 are equal with different bits, and NaN is not equal to itself");
            case SpecialType.System_Decimal:
                return (type, "1.0m and 1.00m are equal with different scales");
        }
        if (Is(type, types.Half))
        {
            return (type, "0.0 and -0.0 are equal with different bits, and NaN is not equal to itself");
        }
        if (Is(type, types.DateTimeOffset))
        {
            return (type, "the same instant at different offsets is equal with different bytes");
        }
        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            foreach (var element in tuple.TupleElements)
            {
                if (InexactKeyPart(element.Type, types) is { } part)
                {
                    return part;
                }
            }
        }
        return null;
    }

    /// <summary>Whether the serializer registry serializes <paramref name="type"/> without help: primitives, string,
    /// enums, Guid, DateTime(Offset), TimeSpan, decimal, byte arrays, arrays and lists of such, nullables, tuples of up
    /// to 7 elements, and unmanaged structs (copied as bytes).</summary>
    public static bool IsBuiltIn(ITypeSymbol type, WellKnownTypes types)
    {
        if (type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_String || type.SpecialType == SpecialType.System_DateTime)
        {
            return true;
        }
        if (type.TypeKind == TypeKind.Enum || Is(type, types.Guid) || Is(type, types.TimeSpan) || Is(type, types.DateTimeOffset) || Is(type, types.Half))
        {
            return true;
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            return IsSerializable(array.ElementType, types);
        }
        if (type is INamedTypeSymbol { IsGenericType: true } named)
        {
            if (named.IsTupleType)
            {
                if (named.TupleElements.Length > 7)
                {
                    return false;
                }
                foreach (var element in named.TupleElements)
                {
                    if (!IsSerializable(element.Type, types))
                    {
                        return false;
                    }
                }
                return true;
            }
            if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || IsCollection(named, types))
            {
                return IsSerializable(named.TypeArguments[0], types);
            }
        }
        return type.IsValueType && type.IsUnmanagedType && type.TypeKind != TypeKind.TypeParameter;
    }

    /// <summary>Whether a member or element of type <paramref name="type"/> can be serialized: built in, or a
    /// <c>[DataflowSerializable]</c> type (checked on its own declaration).</summary>
    public static bool IsSerializable(ITypeSymbol type, WellKnownTypes types) =>
        IsBuiltIn(type, types) || WellKnownTypes.HasAttribute(type, types.DataflowSerializableAttribute);

    /// <summary>Why the serializer generator cannot write a serializer for user type <paramref name="type"/>, or
    /// <see langword="null"/> when it can. This is the rule of <c>docs/serializers.md</c> ("The rule"): kind, origin,
    /// reachability, candidate members, construction, restorable members, supported member types, no cycles.</summary>
    public static string? GeneratableProblem(INamedTypeSymbol type, WellKnownTypes types) =>
        GeneratableProblem(type, types, new List<ITypeSymbol>());

    private static string? GeneratableProblem(INamedTypeSymbol type, WellKnownTypes types, List<ITypeSymbol> visiting)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsAbstract || type.IsStatic || type.IsRefLikeType)
        {
            return "only concrete classes, records and structs (not abstract, static or ref structs) get a generated serializer";
        }
        if (type.IsGenericType)
        {
            return "generic types get no generated serializer";
        }
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal))
            {
                return $"`{current.Name}` is not public or internal, so the generated serializer cannot reach it";
            }
        }
        foreach (var seen in visiting)
        {
            if (SymbolEqualityComparer.Default.Equals(seen, type))
            {
                return $"it contains itself (through `{visiting[visiting.Count - 1].Name}`), and cyclic types are not supported";
            }
        }
        visiting.Add(type);
        try
        {
            return MembersProblem(type, types, visiting);
        }
        finally
        {
            visiting.RemoveAt(visiting.Count - 1);
        }
    }

    private static string? MembersProblem(INamedTypeSymbol type, WellKnownTypes types, List<ITypeSymbol> visiting)
    {
        // Candidate members: public instance fields and readable properties, base classes first; overrides count once.
        var candidates = new List<ISymbol>();
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            chain.Insert(0, current);
        }
        foreach (var declaring in chain)
        {
            foreach (var member in declaring.GetMembers())
            {
                var candidate = member switch
                {
                    IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public } => member,
                    IPropertySymbol { IsStatic: false, IsIndexer: false, IsOverride: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } => member,
                    _ => null,
                };
                if (candidate is null)
                {
                    continue;
                }
                if (candidate is IPropertySymbol { ReturnsByRef: true } or IPropertySymbol { ReturnsByRefReadonly: true })
                {
                    return $"property `{candidate.Name}` returns by reference";
                }
                foreach (var other in candidates)
                {
                    if (other.Name == candidate.Name)
                    {
                        return $"member `{candidate.Name}` hides a base member of the same name";
                    }
                }
                candidates.Add(candidate);
            }
        }

        // Construction: the public constructor with most parameters that all match distinct candidates.
        IMethodSymbol? chosen = null;
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility == Accessibility.Public
                && (chosen is null || constructor.Parameters.Length > chosen.Parameters.Length)
                && MatchesCandidates(constructor, candidates))
            {
                chosen = constructor;
            }
        }
        if (chosen is null)
        {
            return "it has neither a public constructor whose parameters all match its public members nor a public parameterless constructor";
        }

        foreach (var candidate in candidates)
        {
            var memberType = candidate is IFieldSymbol f ? f.Type : ((IPropertySymbol)candidate).Type;
            if (!IsConstructorParameter(chosen, candidate))
            {
                switch (candidate)
                {
                    case IFieldSymbol { IsReadOnly: true }:
                        return $"readonly field `{candidate.Name}` is not a constructor parameter, so it cannot be restored";
                    case IPropertySymbol { SetMethod.DeclaredAccessibility: Accessibility.Public }:
                        break;
                    case IPropertySymbol property when HasBackingField(property):
                        return $"get-only property `{candidate.Name}` is not a constructor parameter, so it cannot be restored";
                    case IPropertySymbol:
                        // Computed: not serialized.
                        continue;
                }
            }
            if (MemberTypeProblem(memberType, types, visiting) is { } problem)
            {
                return $"member `{candidate.Name}` has type `{memberType.ToDisplayString(DisplayFormat)}`: {problem}";
            }
        }
        return null;
    }

    private static string? MemberTypeProblem(ITypeSymbol type, WellKnownTypes types, List<ITypeSymbol> visiting)
    {
        if (type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_String || type.SpecialType == SpecialType.System_DateTime
            || type.TypeKind == TypeKind.Enum || Is(type, types.DateTimeOffset))
        {
            return null;
        }
        if (type is IArrayTypeSymbol array)
        {
            return array.Rank == 1 ? MemberTypeProblem(array.ElementType, types, visiting) : "multi-dimensional arrays are not supported";
        }
        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            if (tuple.TupleElements.Length > 7)
            {
                return "value tuples of more than 7 elements are not supported";
            }
            foreach (var element in tuple.TupleElements)
            {
                if (MemberTypeProblem(element.Type, types, visiting) is { } problem)
                {
                    return problem;
                }
            }
            return null;
        }
        if (type is INamedTypeSymbol { IsGenericType: true } generic
            && (generic.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || IsCollection(generic, types)))
        {
            return MemberTypeProblem(generic.TypeArguments[0], types, visiting);
        }
        var marked = WellKnownTypes.HasAttribute(type, types.DataflowSerializableAttribute);
        if (type.IsValueType && type.IsUnmanagedType && !marked && type.TypeKind != TypeKind.TypeParameter)
        {
            return null;
        }
        if (type is INamedTypeSymbol named && IsInSource(named))
        {
            return GeneratableProblem(named, types, visiting) is { } problem ? $"`{named.Name}` cannot be serialized ({problem})" : null;
        }
        return marked ? null : "this type is not supported by the serializer generator";
    }

    /// <summary>Whether <paramref name="type"/> is declared in the compilation being analyzed.</summary>
    public static bool IsInSource(ITypeSymbol type) => type.Locations.Length > 0 && type.Locations[0].IsInSource;

    private static bool MatchesCandidates(IMethodSymbol constructor, List<ISymbol> candidates)
    {
        var used = new List<ISymbol>();
        foreach (var parameter in constructor.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
            {
                return false;
            }
            ISymbol? match = null;
            foreach (var candidate in candidates)
            {
                var candidateType = candidate is IFieldSymbol f ? f.Type : ((IPropertySymbol)candidate).Type;
                if (string.Equals(candidate.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(candidateType, parameter.Type)
                    && !used.Contains(candidate))
                {
                    match = candidate;
                    break;
                }
            }
            if (match is null)
            {
                return false;
            }
            used.Add(match);
        }
        return true;
    }

    private static bool IsConstructorParameter(IMethodSymbol constructor, ISymbol candidate)
    {
        foreach (var parameter in constructor.Parameters)
        {
            if (string.Equals(candidate.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool HasBackingField(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { AssociatedSymbol: { } associated } && SymbolEqualityComparer.Default.Equals(associated, property))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsCollection(ITypeSymbol type, WellKnownTypes types) =>
        type is INamedTypeSymbol { IsGenericType: true } named
        && (Is(named.OriginalDefinition, types.ListOfT) || Is(named.OriginalDefinition, types.IListOfT) || Is(named.OriginalDefinition, types.IReadOnlyListOfT));

    private static bool Is(ITypeSymbol type, INamedTypeSymbol? wellKnown) =>
        wellKnown is not null && SymbolEqualityComparer.Default.Equals(type, wellKnown);
}
