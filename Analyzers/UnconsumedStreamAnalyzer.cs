using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0007: a stream is built but never reaches a sink — the result of a transformation is discarded, or a
/// local holding a stream is never read. The job graph drops operators that lead nowhere (or fails without a sink),
/// so such code is either dead or a forgotten <c>SinkTo</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnconsumedStreamAnalyzer : DiagnosticAnalyzer
{
    // Calls that configure the stream they are called on and return it: calling them for effect is fine.
    private static readonly ImmutableHashSet<string> ConfigurationMethods = ImmutableHashSet.Create(
        "SetParallelism", "SetMaxParallelism", "Uid", "Name", "DisableChaining", "StartNewChain", "SlotSharingGroup");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.StreamNeverSunk);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (WellKnownTypes.Create(start.Compilation) is { } types)
            {
                start.RegisterOperationBlockAction(c => Analyze(c, types));
            }
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, WellKnownTypes types)
    {
        List<(ILocalSymbol Local, SyntaxNode Declarator)>? locals = null;
        HashSet<ILocalSymbol>? consumed = null;
        foreach (var block in context.OperationBlocks)
        {
            foreach (var operation in block.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IExpressionStatementOperation statement when types.IsStreamType(statement.Operation.Type):
                        if (Discarded(statement.Operation, types) is { } producer)
                        {
                            context.ReportDiagnostic(Diagnostic.Create(
                                DiagnosticDescriptors.StreamNeverSunk,
                                FunctionArguments.NameLocation(producer),
                                $"produced by `{producer.TargetMethod.Name}`"));
                        }
                        break;
                    case IVariableDeclaratorOperation declarator when types.IsStreamType(declarator.Symbol.Type):
                        (locals ??= []).Add((declarator.Symbol, declarator.Syntax));
                        break;
                    case ILocalReferenceOperation reference when types.IsStreamType(reference.Local.Type) && IsConsuming(reference):
                        (consumed ??= new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default)).Add(reference.Local);
                        break;
                }
            }
        }
        if (locals is null)
        {
            return;
        }
        foreach (var (local, declarator) in locals)
        {
            if (consumed?.Contains(local) != true)
            {
                var location = declarator is VariableDeclaratorSyntax syntax ? syntax.Identifier.GetLocation() : declarator.GetLocation();
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StreamNeverSunk, location, $"in local `{local.Name}`"));
            }
        }
    }

    // The transformation whose result an expression statement throws away, or null when the statement only
    // configures an existing stream (`stream.Name("x");`) or calls something outside the API.
    private static IInvocationOperation? Discarded(IOperation expression, WellKnownTypes types)
    {
        var current = expression;
        while (current is IInvocationOperation { Instance: { } instance } configuration
            && ConfigurationMethods.Contains(configuration.TargetMethod.Name)
            && types.IsApiType(configuration.TargetMethod.ContainingType))
        {
            current = instance;
        }
        return current is IInvocationOperation invocation && types.IsApiMethod(invocation.TargetMethod) ? invocation : null;
    }

    // A read that uses the stream: anything but being assigned, or being configured in a statement of its own.
    private static bool IsConsuming(ILocalReferenceOperation reference)
    {
        if (reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference)
        {
            return false;
        }
        IOperation current = reference;
        while (current.Parent is IInvocationOperation { Instance: { } instance } call
            && instance == current
            && ConfigurationMethods.Contains(call.TargetMethod.Name))
        {
            current = call;
        }
        return current == reference || current.Parent is not IExpressionStatementOperation;
    }
}
