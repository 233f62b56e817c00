using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0006: a record type cannot be serialized, by the serializer generator's rule (<c>docs/serializers.md</c>).
/// Checked (1) on every <c>[DataflowSerializable]</c> type of the project; (2) on the record types of every stream a
/// <c>[DataflowJob]</c> class builds — the generator writes serializers for those unasked, so only types it cannot
/// handle are reported; (3) elsewhere, on the record types of streams that certainly cross a task boundary (the
/// input of <c>KeyBy</c> and of the repartitioning calls), which need <c>[DataflowSerializable]</c> to get one.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RecordSerializabilityAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property naming the fix: <see cref="AddAttributeFix"/> when adding the attribute is the fix.</summary>
    public const string FixProperty = "Fix";

    /// <summary>Value of <see cref="FixProperty"/>: mark the type <c>[DataflowSerializable]</c>.</summary>
    public const string AddAttributeFix = "AddDataflowSerializable";

    /// <summary>Diagnostic property holding the documentation id of the record type (for the code fix).</summary>
    public const string TypeProperty = "Type";

    // Calls whose input records always leave the task: a keyed or redistributing exchange follows.
    private static readonly ImmutableHashSet<string> ExchangeMethods = ImmutableHashSet.Create(
        "KeyBy", "Rebalance", "Shuffle", "Broadcast", "Global", "Rescale", "PartitionCustom");

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
            var assemblyMarked = AssemblyMarkedTypes(start.Compilation, types);
            if (types.DataflowSerializableAttribute is not null)
            {
                start.RegisterSymbolAction(c => AnalyzeSerializableType(c, types), SymbolKind.NamedType);
            }
            if (types.DataflowJobAttribute is not null)
            {
                start.RegisterSymbolStartAction(c => AnalyzeJobClass(c, types, assemblyMarked), SymbolKind.NamedType);
            }
            start.RegisterOperationAction(c => AnalyzeExchange(c, types, assemblyMarked), OperationKind.Invocation);
        });
    }

    private static void AnalyzeSerializableType(SymbolAnalysisContext context, WellKnownTypes types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (WellKnownTypes.HasAttribute(type, types.DataflowSerializableAttribute)
            && TypeRules.GeneratableProblem(type, types) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.RecordNotSerializable, type.Locations[0], type.ToDisplayString(TypeRules.DisplayFormat), problem));
        }
    }

    private static void AnalyzeJobClass(SymbolStartAnalysisContext context, WellKnownTypes types, ImmutableHashSet<ITypeSymbol> assemblyMarked)
    {
        if (!WellKnownTypes.HasAttribute(context.Symbol, types.DataflowJobAttribute))
        {
            return;
        }
        // The first place (in source order) each offending type appears, so each is reported once per job class.
        var firstUse = new Dictionary<ITypeSymbol, (Location Location, Offender Offender)>(SymbolEqualityComparer.Default);
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
                    foreach (var offender in Offenders(element, types, assemblyMarked, generatedUnasked: true))
                    {
                        lock (firstUse)
                        {
                            if (!firstUse.TryGetValue(offender.Type, out var known) || IsBefore(location, known.Location))
                            {
                                firstUse[offender.Type] = (location, offender);
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
                    c.ReportDiagnostic(Create(pair.Value.Location, pair.Value.Offender));
                }
            }
        });
    }

    private static void AnalyzeExchange(OperationAnalysisContext context, WellKnownTypes types, ImmutableHashSet<ITypeSymbol> assemblyMarked)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!ExchangeMethods.Contains(invocation.TargetMethod.Name)
            || invocation.Instance?.Type is not INamedTypeSymbol { TypeArguments.Length: 1 } input
            || !SymbolEqualityComparer.Default.Equals(input.OriginalDefinition, types.DataStream)
            || WellKnownTypes.HasAttribute(context.ContainingSymbol.ContainingType, types.DataflowJobAttribute))
        {
            return;
        }
        foreach (var offender in Offenders(input.TypeArguments[0], types, assemblyMarked, generatedUnasked: false))
        {
            context.ReportDiagnostic(Create(FunctionArguments.NameLocation(invocation), offender));
        }
    }

    private static Diagnostic Create(Location location, Offender offender)
    {
        var properties = offender.Fixable
            ? ImmutableDictionary<string, string?>.Empty.Add(FixProperty, AddAttributeFix).Add(TypeProperty, offender.Type.GetDocumentationCommentId())
            : ImmutableDictionary<string, string?>.Empty;
        return Diagnostic.Create(
            DiagnosticDescriptors.RecordNotSerializable, location, properties, offender.Type.ToDisplayString(TypeRules.DisplayFormat), offender.Why);
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

    // The types inside a record type that will have no serializer. Tuples, arrays, lists and nullables are looked
    // through. [DataflowSerializable] types of the project are checked on their declaration instead. A user type
    // gets a generated serializer when it is generatable and either marked or (in job classes) used unasked.
    private static IEnumerable<Offender> Offenders(ITypeSymbol type, WellKnownTypes types, ImmutableHashSet<ITypeSymbol> assemblyMarked, bool generatedUnasked)
    {
        if (type.TypeKind == TypeKind.TypeParameter || assemblyMarked.Contains(type))
        {
            yield break;
        }
        var elements = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => [array.ElementType],
            INamedTypeSymbol { IsTupleType: true } tuple when tuple.TupleElements.Length <= 7 => ElementsOf(tuple),
            INamedTypeSymbol { IsGenericType: true } generic when generic.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
                || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, types.ListOfT)
                || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, types.IListOfT)
                || SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, types.IReadOnlyListOfT) => [generic.TypeArguments[0]],
            _ => ImmutableArray<ITypeSymbol>.Empty,
        };
        if (!elements.IsEmpty)
        {
            foreach (var element in elements)
            {
                foreach (var offender in Offenders(element, types, assemblyMarked, generatedUnasked))
                {
                    yield return offender;
                }
            }
            yield break;
        }
        if (WellKnownTypes.HasAttribute(type, types.DataflowSerializableAttribute) || (type.IsValueType && type.IsUnmanagedType) || TypeRules.IsBuiltIn(type, types))
        {
            yield break;
        }
        if (type is INamedTypeSymbol named && TypeRules.IsInSource(named))
        {
            if (TypeRules.GeneratableProblem(named, types) is { } problem)
            {
                yield return new Offender(type, problem, fixable: false);
            }
            else if (!generatedUnasked)
            {
                yield return new Offender(type, "it crosses a task boundary but has no serializer; mark it [DataflowSerializable] so the serializer generator writes one", fixable: true);
            }
            yield break;
        }
        yield return new Offender(type, "it has no built-in serializer; register one with env.RegisterSerializer, name it with [assembly: DataflowSerializable(typeof(…))], or use a supported type", fixable: false);
    }

    // Types named by [assembly: DataflowSerializable(typeof(T))].
    private static ImmutableHashSet<ITypeSymbol> AssemblyMarkedTypes(Compilation compilation, WellKnownTypes types)
    {
        var builder = ImmutableHashSet.CreateBuilder<ITypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var attribute in compilation.Assembly.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, types.DataflowSerializableAttribute)
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is ITypeSymbol named)
            {
                builder.Add(named);
            }
        }
        return builder.ToImmutable();
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

    private readonly struct Offender
    {
        public Offender(ITypeSymbol type, string why, bool fixable)
        {
            Type = type;
            Why = why;
            Fixable = fixable;
        }

        public ITypeSymbol Type { get; }

        public string Why { get; }

        public bool Fixable { get; }
    }
}
