using System.Linq;
using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Generator.Fusion;

/// <summary>
/// Type names exactly as the runtime writes them into chain signatures (Runtime/Graph/TypeNames.cs):
/// System and System.Collections.Generic types by simple name, generic types as <c>Name&lt;Args&gt;</c>,
/// other types by full name with nested types joined by '.'.
/// </summary>
internal static class SignatureNames
{
    public static string Display(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol array)
        {
            return Display(array.ElementType) + "[]";
        }
        if (type is INamedTypeSymbol { IsTupleType: true, TupleUnderlyingType: { } underlying })
        {
            type = underlying;
        }
        var named = type as INamedTypeSymbol;
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        bool isGeneric = named is { IsGenericType: true };
        string name;
        if (ns is "" or "System" or "System.Collections.Generic")
        {
            name = type.MetadataName;
        }
        else if (!isGeneric)
        {
            name = ns + "." + string.Join(".", ContainingTypes(type).Select(t => t.MetadataName).Concat(new[] { type.MetadataName }));
        }
        else
        {
            name = ns + "." + type.MetadataName;
        }
        if (!isGeneric)
        {
            return name;
        }
        int tick = name.IndexOf('`');
        if (tick >= 0)
        {
            name = name.Substring(0, tick);
        }
        return name + "<" + string.Join(",", named!.TypeArguments.Select(Display)) + ">";
    }

    private static INamedTypeSymbol[] ContainingTypes(ITypeSymbol type)
    {
        var list = new System.Collections.Generic.List<INamedTypeSymbol>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            list.Insert(0, t);
        }
        return list.ToArray();
    }
}
