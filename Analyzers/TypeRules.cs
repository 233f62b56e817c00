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
    /// <c>[DataflowSerializable]</c> types.</summary>
    public static string? KeyProblem(ITypeSymbol type, WellKnownTypes types)
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
                if (KeyProblem(element.Type, types) is { } problem)
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

    /// <summary>Why a <c>[DataflowSerializable]</c> type cannot get a generated serializer, or <see langword="null"/>.
    /// The generator serializes the public instance fields and auto-properties; their types must be serializable,
    /// and the type must be constructible from them: a constructor whose parameters match them by name and type, or a
    /// parameterless constructor with every one of them settable.</summary>
    public static string? SerializableTypeProblem(INamedTypeSymbol type, WellKnownTypes types)
    {
        if (type.IsAbstract || type.TypeKind == TypeKind.Interface)
        {
            return "abstract types and interfaces cannot be constructed; mark the concrete types instead";
        }
        if (type.IsGenericType)
        {
            return "generic types are not supported";
        }
        var members = new List<(ISymbol Member, ITypeSymbol Type, bool Settable)>();
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared && member is not IFieldSymbol)
            {
                continue;
            }
            switch (member)
            {
                case IFieldSymbol { AssociatedSymbol: IPropertySymbol property } when property.DeclaredAccessibility == Accessibility.Public:
                    members.Add((property, property.Type, property.SetMethod is { DeclaredAccessibility: Accessibility.Public }));
                    break;
                case IFieldSymbol { IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public } field:
                    members.Add((field, field.Type, !field.IsReadOnly));
                    break;
            }
        }
        foreach (var (member, memberType, _) in members)
        {
            if (!IsSerializable(memberType, types))
            {
                return $"member `{member.Name}` has type `{memberType.ToDisplayString(DisplayFormat)}`, which has no serializer (mark it [DataflowSerializable] or use a supported type)";
            }
        }
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility != Accessibility.Public)
            {
                continue;
            }
            if (constructor.Parameters.Length == 0 && AllSettable(members))
            {
                return null;
            }
            if (constructor.Parameters.Length == members.Count && MatchesMembers(constructor, members))
            {
                return null;
            }
        }
        return "it has neither a public constructor taking all its public members nor a public parameterless constructor with all of them settable";
    }

    private static bool AllSettable(List<(ISymbol Member, ITypeSymbol Type, bool Settable)> members)
    {
        foreach (var member in members)
        {
            if (!member.Settable)
            {
                return false;
            }
        }
        return true;
    }

    private static bool MatchesMembers(IMethodSymbol constructor, List<(ISymbol Member, ITypeSymbol Type, bool Settable)> members)
    {
        foreach (var parameter in constructor.Parameters)
        {
            var matched = false;
            foreach (var member in members)
            {
                if (string.Equals(member.Member.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(member.Type, parameter.Type))
                {
                    matched = true;
                    break;
                }
            }
            if (!matched)
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsCollection(ITypeSymbol type, WellKnownTypes types) =>
        type is INamedTypeSymbol { IsGenericType: true } named
        && (Is(named.OriginalDefinition, types.ListOfT) || Is(named.OriginalDefinition, types.IListOfT) || Is(named.OriginalDefinition, types.IReadOnlyListOfT));

    private static bool Is(ITypeSymbol type, INamedTypeSymbol? wellKnown) =>
        wellKnown is not null && SymbolEqualityComparer.Default.Equals(type, wellKnown);
}
