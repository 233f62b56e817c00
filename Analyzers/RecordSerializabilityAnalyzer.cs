using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0006: a record type cannot be serialized. Checked on every <c>[DataflowSerializable]</c> type (does the
/// serializer generator support its members and can it construct it?) and on every element type of the streams a
/// <c>[DataflowJob]</c> class builds (does it have a serializer at all?). Records crossing a task boundary are
/// serialized; the rule does not try to tell which streams cross one, so it asks for a serializer on all of them.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RecordSerializabilityAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property naming the fix: <see cref="AddAttributeFix"/> when adding the attribute is the fix.</summary>
    public const string FixProperty = "Fix";

    /// <summary>Value of <see cref="FixProperty"/>: mark the type <c>[DataflowSerializable]</c>.</summary>
    public const string AddAttributeFix = "AddDataflowSerializable";

    /// <summary>Diagnostic property holding the documentation id of the record type (for the code fix).</summary>
    public const string TypeProperty = "Type";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.RecordNotSerializable);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (WellKnownTypes.Create(start.Compilation) is not { } types)
            {
                return;
            }
            if (types.DataflowSerializableAttribute is not null)
            {
                start.RegisterSymbolAction(c => AnalyzeSerializableType(c, types), SymbolKind.NamedType);
            }
            if (types.DataflowJobAttribute is not null)
            {
                start.RegisterSymbolStartAction(c => AnalyzeJobClass(c, types), SymbolKind.NamedType);
            }
        });
    }

    private static void AnalyzeSerializableType(SymbolAnalysisContext context, WellKnownTypes types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (WellKnownTypes.HasAttribute(type, types.DataflowSerializableAttribute)
            && TypeRules.SerializableTypeProblem(type, types) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.RecordNotSerializable, type.Locations[0], type.ToDisplayString(TypeRules.DisplayFormat), problem));
        }
    }

    private static void AnalyzeJobClass(SymbolStartAnalysisContext context, WellKnownTypes types)
    {
        if (!WellKnownTypes.HasAttribute(context.Symbol, types.DataflowJobAttribute))
        {
            return;
        }
        // The first place (in source order) each offending type appears, so each is reported once per job class.
        var firstUse = new Dictionary<ITypeSymbol, Location>(SymbolEqualityComparer.Default);
        context.RegisterOperationAction(
            c =>
            {
                var invocation = (IInvocationOperation)c.Operation;
                if (!types.IsStreamType(invocation.Type) || invocation.Type is not INamedTypeSymbol stream)
                {
                    return;
                }
                var location = FunctionArguments.NameLocation(invocation);
                foreach (var element in ElementTypes(stream, types))
                {
                    foreach (var offender in Offenders(element, types))
                    {
                        lock (firstUse)
                        {
                            if (!firstUse.TryGetValue(offender, out var known) || IsBefore(location, known))
                            {
                                firstUse[offender] = location;
                            }
                        }
                    }
                }
            },
            OperationKind.Invocation);
        context.RegisterSymbolEndAction(c =>
        {
            lock (firstUse)
            {
                foreach (var pair in firstUse)
                {
                    var type = pair.Key;
                    var inSource = type is INamedTypeSymbol { IsGenericType: false } && type.Locations.Length > 0 && type.Locations[0].IsInSource
                        && type.TypeKind is TypeKind.Class or TypeKind.Struct;
                    var properties = inSource
                        ? ImmutableDictionary<string, string?>.Empty
                            .Add(FixProperty, AddAttributeFix)
                            .Add(TypeProperty, type.GetDocumentationCommentId())
                        : ImmutableDictionary<string, string?>.Empty;
                    var why = inSource
                        ? "it has no serializer; mark it [DataflowSerializable] so the serializer generator writes one"
                        : "it has no built-in serializer; register one with env.RegisterSerializer or use a supported type";
                    c.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.RecordNotSerializable,
                        pair.Value,
                        properties,
                        type.ToDisplayString(TypeRules.DisplayFormat),
                        why));
                }
            }
        });
    }

    // The record types of a stream: T of DataStream<T> and KeyedStream<TKey, T> (the key is DFC0003's), both of
    // ConnectedStreams<T1, T2>.
    private static IEnumerable<ITypeSymbol> ElementTypes(INamedTypeSymbol stream, WellKnownTypes types)
    {
        var definition = stream.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(definition, types.KeyedStream))
        {
            return [stream.TypeArguments[1]];
        }
        if (SymbolEqualityComparer.Default.Equals(definition, types.KeyedConnectedStreams))
        {
            return [stream.TypeArguments[1], stream.TypeArguments[2]];
        }
        return stream.TypeArguments;
    }

    // The types inside a record type that have no serializer: the type itself, or the elements of a tuple, array,
    // list or nullable that lack one. [DataflowSerializable] types are checked on their declaration instead.
    private static IEnumerable<ITypeSymbol> Offenders(ITypeSymbol type, WellKnownTypes types)
    {
        if (type.TypeKind == TypeKind.TypeParameter || TypeRules.IsSerializable(type, types))
        {
            yield break;
        }
        var elements = type switch
        {
            IArrayTypeSymbol array => [array.ElementType],
            INamedTypeSymbol { IsTupleType: true } tuple when tuple.TupleElements.Length <= 7 => ElementsOf(tuple),
            INamedTypeSymbol { IsGenericType: true } generic when generic.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
                || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, types.ListOfT)
                || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, types.IListOfT)
                || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, types.IReadOnlyListOfT) => [generic.TypeArguments[0]],
            _ => ImmutableArray<ITypeSymbol>.Empty,
        };
        if (elements.IsEmpty)
        {
            yield return type;
            yield break;
        }
        foreach (var element in elements)
        {
            foreach (var offender in Offenders(element, types))
            {
                yield return offender;
            }
        }
    }

    private static ImmutableArray<ITypeSymbol> ElementsOf(INamedTypeSymbol tuple)
    {
        var builder = ImmutableArray.CreateBuilder<ITypeSymbol>(tuple.TupleElements.Length);
        foreach (var element in tuple.TupleElements)
        {
            builder.Add(element.Type);
        }
        return builder.MoveToImmutable();
    }

    private static bool IsBefore(Location a, Location b) =>
        string.CompareOrdinal(a.SourceTree?.FilePath, b.SourceTree?.FilePath) is var byFile && (byFile < 0 || (byFile == 0 && a.SourceSpan.Start < b.SourceSpan.Start));
}
