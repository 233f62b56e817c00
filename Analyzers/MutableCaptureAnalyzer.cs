using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0002: a lambda passed to the DataStream API captures a mutable local, parameter or field. Such state
/// is shared by every subtask of the operator in the process, is not partitioned by key and is not checkpointed.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MutableCaptureAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.CapturesMutableState);

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
        if (lambda.Symbol.IsStatic || FunctionArguments.ApiInvocationOf(lambda, types, out _) is not { } invocation)
        {
            return;
        }
        foreach (var captured in Captures.Find(lambda))
        {
            if (IsMutable(captured, lambda))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.CapturesMutableState,
                    captured.FirstUse.GetLocation(),
                    invocation.TargetMethod.Name,
                    captured.Kind,
                    captured.Name));
            }
        }
    }

    private static bool IsMutable(CapturedVariable captured, IAnonymousFunctionOperation lambda)
    {
        switch (captured.Symbol)
        {
            case IFieldSymbol field:
                return !field.IsReadOnly && !field.IsConst;
            case ILocalSymbol { IsConst: false } local:
                return Captures.IsWrittenAfterCapture(local, lambda.Syntax, lambda.SemanticModel!);
            case IParameterSymbol parameter:
                return parameter.RefKind == RefKind.None
                    && Captures.IsWrittenAfterCapture(parameter, lambda.Syntax, lambda.SemanticModel!);
            default:
                return false;
        }
    }
}
