using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>DFC0003: the key type of a <c>KeyBy</c> has no deterministic serializer and hash. DFC0010: the key type
/// has one, but equal keys can serialize to different bytes (floating point, decimal, DateTimeOffset).
/// Keys are assigned to key groups by a hash of their serialized bytes, on every machine the same.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeyTypeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.KeyTypeNotDeterministic, DiagnosticDescriptors.InexactKeyType);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (WellKnownTypes.Create(start.Compilation) is { } types)
            {
                start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, WellKnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name != "KeyBy" || method.TypeArguments.Length != 1 || !types.IsApiType(method.ContainingType))
        {
            return;
        }
        var key = method.TypeArguments[0];
        var display = key.ToDisplayString(TypeRules.DisplayFormat);
        var inJobClass = WellKnownTypes.HasAttribute(context.ContainingSymbol.ContainingType, types.DataflowJobAttribute);
        if (TypeRules.KeyProblem(key, types, inJobClass) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.KeyTypeNotDeterministic, FunctionArguments.NameLocation(invocation), display, method.Name, problem));
        }
        else if (TypeRules.InexactKeyPart(key, types) is { } part)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InexactKeyType,
                FunctionArguments.NameLocation(invocation),
                display,
                method.Name,
                part.Part.ToDisplayString(TypeRules.DisplayFormat),
                part.Why));
        }
    }
}
