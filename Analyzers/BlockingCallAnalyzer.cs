using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0005: a blocking call in operator code — a lambda passed to the stream API, or a method of a function
/// class (<c>ProcessFunction</c>, <c>RichFunction</c>, <c>IMapFunction</c>, <c>ISinkWriter</c>, …). Operators run on the
/// task's one thread, which also runs checkpoints, timers and cancellation; a blocked operator stalls all of them.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.BlockingCall);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (WellKnownTypes.Create(start.Compilation) is { } types)
            {
                start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation, OperationKind.PropertyReference);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, WellKnownTypes types)
    {
        var call = BlockingCall(context.Operation, types);
        if (call is null || OperatorContext(context.Operation, context.ContainingSymbol, types) is not { } where)
        {
            return;
        }
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingCall, context.Operation.Syntax.GetLocation(), call, where));
    }

    private static string? BlockingCall(IOperation operation, WellKnownTypes types)
    {
        switch (operation)
        {
            case IInvocationOperation { TargetMethod: { } method }:
                var type = method.ContainingType.OriginalDefinition;
                var name = method.Name;
                if ((Is(type, types.Thread) && name is "Sleep" or "Join")
                    || (Is(type, types.Task) && name is "Wait" or "WaitAll" or "WaitAny")
                    || (Is(type, types.Monitor) && name == "Wait")
                    || (Is(type, types.WaitHandle) && name is "WaitOne" or "WaitAll" or "WaitAny" or "SignalAndWait")
                    || ((Is(type, types.SemaphoreSlim) || Is(type, types.ManualResetEventSlim) || Is(type, types.CountdownEvent)) && name == "Wait")
                    || (IsAwaiter(type, types) && name == "GetResult"))
                {
                    return method.ContainingType.Name + "." + name;
                }
                return null;
            case IPropertyReferenceOperation { Property: { Name: "Result" } property }
                when Is(property.ContainingType.OriginalDefinition, types.TaskOfT) || Is(property.ContainingType.OriginalDefinition, types.ValueTaskOfT):
                return property.ContainingType.Name + ".Result";
            default:
                return null;
        }
    }

    private static bool IsAwaiter(ITypeSymbol type, WellKnownTypes types) =>
        Is(type, types.TaskAwaiter) || Is(type, types.TaskAwaiterOfT) || Is(type, types.ValueTaskAwaiter) || Is(type, types.ValueTaskAwaiterOfT)
        || Is(type, types.ConfiguredTaskAwaiter) || Is(type, types.ConfiguredTaskAwaiterOfT);

    // "the function passed to Map" or "`Enricher.Map`", or null when the call is not operator code.
    private static string? OperatorContext(IOperation operation, ISymbol containingSymbol, WellKnownTypes types)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda && FunctionArguments.ApiInvocationOf(lambda, types, out _) is { } invocation)
            {
                return "the function passed to " + invocation.TargetMethod.Name;
            }
        }
        var type = containingSymbol.ContainingType;
        return types.IsFunctionType(type) ? $"`{type.Name}.{containingSymbol.Name}`" : null;
    }

    private static bool Is(ITypeSymbol type, INamedTypeSymbol? wellKnown) =>
        wellKnown is not null && SymbolEqualityComparer.Default.Equals(type, wellKnown);
}
