using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0004: a key selector or timestamp assigner reads the clock or a random source. A key selector runs on
/// both sides of a keyed exchange and again on recovery; a timestamp assigner runs again on replay: both must give the
/// same answer for the same record.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonDeterminismAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NonDeterministicFunction);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (WellKnownTypes.Create(start.Compilation) is { } types)
            {
                start.RegisterOperationAction(c => Analyze(c, types), OperationKind.AnonymousFunction);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, WellKnownTypes types)
    {
        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (FunctionArguments.ApiInvocationOf(lambda, types, out var parameter) is not { } invocation
            || RoleOf(invocation.TargetMethod, parameter) is not { } role)
        {
            return;
        }
        foreach (var operation in lambda.Body.Descendants())
        {
            if (NonDeterministicSource(operation, types) is { } source)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.NonDeterministicFunction, operation.Syntax.GetLocation(), role, invocation.TargetMethod.Name, source));
            }
        }
    }

    // Matched on names so that the time API (watermark strategies) is covered however it lands.
    private static string? RoleOf(IMethodSymbol method, IParameterSymbol? parameter)
    {
        var parameterName = parameter?.Name ?? string.Empty;
        if (method.Name == "KeyBy" || parameterName.IndexOf("keySelector", System.StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return "key selector";
        }
        if (parameterName.IndexOf("timestamp", System.StringComparison.OrdinalIgnoreCase) >= 0
            || method.Name.IndexOf("TimestampAssigner", System.StringComparison.Ordinal) >= 0
            || method.ContainingType.Name == "WatermarkStrategy"
            || parameter?.Type.Name.IndexOf("TimestampAssigner", System.StringComparison.Ordinal) >= 0)
        {
            return "timestamp assigner";
        }
        return null;
    }

    private static string? NonDeterministicSource(IOperation operation, WellKnownTypes types)
    {
        // `Random.Shared.Next()` is reported once, at `Random.Shared`.
        var instance = operation switch
        {
            IPropertyReferenceOperation property => property.Instance,
            IInvocationOperation invocation => invocation.Instance,
            _ => null,
        };
        if (instance is not null && NonDeterministicSource(instance, types) is not null)
        {
            return null;
        }
        switch (operation)
        {
            case IPropertyReferenceOperation { Property: { } property }:
                var owner = property.ContainingType;
                if ((owner.SpecialType == SpecialType.System_DateTime || Is(owner, types.DateTimeOffset))
                    && property.Name is "Now" or "UtcNow" or "Today")
                {
                    return owner.Name + "." + property.Name;
                }
                if (Is(owner, types.Environment) && property.Name is "TickCount" or "TickCount64")
                {
                    return "Environment." + property.Name;
                }
                if (Is(owner, types.Random) || Is(owner, types.Stopwatch))
                {
                    return owner.Name + "." + property.Name;
                }
                return null;
            case IInvocationOperation { TargetMethod: { } method }:
                var type = method.ContainingType;
                if (Is(type, types.Guid) && method.Name is "NewGuid" or "CreateVersion7")
                {
                    return "Guid." + method.Name;
                }
                if (Is(type, types.Random) || Is(type, types.Stopwatch) || Is(type, types.RandomNumberGenerator))
                {
                    return type.Name + "." + method.Name;
                }
                return null;
            case IObjectCreationOperation { Type: { } created } when Is(created, types.Random) || Is(created, types.Stopwatch):
                return "new " + created.Name;
            default:
                return null;
        }
    }

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol? wellKnown)
    {
        // Derived types (a subclass of Random) count as well.
        for (var current = type; current is not null && wellKnown is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, wellKnown))
            {
                return true;
            }
        }
        return false;
    }
}
