using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>The fusion contract of <c>[DataflowJob]</c> classes. DFC0008: the class is not <c>static partial</c>.
/// DFC0009: it has no <c>public static void Define(StreamEnvironment env)</c>. DFC0001: a chain in <c>Define</c>
/// cannot be fused, with the operator and the reason. DFC0011: a lambda captures nothing but is not <c>static</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class JobClassAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The method the generator reads.</summary>
    public const string DefineMethodName = "Define";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ChainNotFusable,
        DiagnosticDescriptors.JobClassNotStaticPartial,
        DiagnosticDescriptors.JobClassWithoutDefine,
        DiagnosticDescriptors.LambdaCanBeStatic);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (WellKnownTypes.Create(start.Compilation) is not { DataflowJobAttribute: not null } types)
            {
                return;
            }
            start.RegisterSymbolAction(c => AnalyzeShape(c, types), SymbolKind.NamedType);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, types), OperationKind.Invocation);
        });
    }

    private static void AnalyzeShape(SymbolAnalysisContext context, WellKnownTypes types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!WellKnownTypes.HasAttribute(type, types.DataflowJobAttribute)
            || type.DeclaringSyntaxReferences.Length == 0
            || type.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is not TypeDeclarationSyntax declaration)
        {
            return;
        }
        var isPartial = declaration.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!type.IsStatic || !isPartial)
        {
            var missing = !type.IsStatic && !isPartial ? "static, partial" : !type.IsStatic ? "static" : "partial";
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.JobClassNotStaticPartial, declaration.Identifier.GetLocation(), type.Name, missing));
        }
        if (!HasDefine(type, types))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.JobClassWithoutDefine, declaration.Identifier.GetLocation(), type.Name));
        }
    }

    private static bool HasDefine(INamedTypeSymbol type, WellKnownTypes types)
    {
        foreach (var member in type.GetMembers(DefineMethodName))
        {
            if (IsDefine(member, types))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsDefine(ISymbol symbol, WellKnownTypes types) =>
        symbol is IMethodSymbol { Name: DefineMethodName, IsStatic: true, ReturnsVoid: true, DeclaredAccessibility: Accessibility.Public, Parameters.Length: 1 } method
        && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, types.StreamEnvironment);

    private static void AnalyzeInvocation(OperationAnalysisContext context, WellKnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!IsDefine(context.ContainingSymbol, types)
            || !WellKnownTypes.HasAttribute(context.ContainingSymbol.ContainingType, types.DataflowJobAttribute)
            || !types.IsApiMethod(invocation.TargetMethod)
            || EnclosingStructure(invocation) is not { } structure)
        {
            return;
        }
        var name = invocation.TargetMethod.Name;
        var location = FunctionArguments.NameLocation(invocation);
        var isChainRoot = invocation.Instance is not IInvocationOperation { } receiver || !types.IsApiMethod(receiver.TargetMethod);
        if (isChainRoot && structure.Length > 0)
        {
            ReportNotFusable(context, invocation, location, "the chain is built " + structure);
        }
        else if (isChainRoot && invocation.Instance is { } root && root is not (ILocalReferenceOperation or IParameterReferenceOperation))
        {
            ReportNotFusable(context, invocation, location, $"the chain is rooted at `{root.Syntax}`, not at `env` or a local holding a stream");
        }
        if (name is "SetParallelism" or "SetMaxParallelism")
        {
            foreach (var argument in invocation.Arguments)
            {
                if (!argument.Value.ConstantValue.HasValue)
                {
                    ReportNotFusable(context, invocation, location, $"the argument `{argument.Value.Syntax}` is not a constant");
                }
            }
            return;
        }
        foreach (var argument in invocation.Arguments)
        {
            if (!FunctionArguments.IsFunctionArgument(argument, types) || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }
            var function = FunctionArguments.Unwrap(argument.Value);
            if (function is IAnonymousFunctionOperation lambda)
            {
                AnalyzeLambda(context, invocation, location, lambda);
            }
            else if (FunctionProblem(function) is { } problem)
            {
                ReportNotFusable(context, invocation, location, problem);
            }
        }
    }

    // "" at the top level of Define, "inside a loop" / "inside a conditional" when the chain is built in one, and
    // null inside a lambda or local function (API calls there are user code, not the job's chains).
    private static string? EnclosingStructure(IOperation operation)
    {
        var structure = string.Empty;
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
                case ILoopOperation when structure.Length == 0:
                    structure = "inside a loop";
                    break;
                case IConditionalOperation or ISwitchOperation or ISwitchExpressionOperation or ICoalesceOperation or IConditionalAccessOperation
                    when structure.Length == 0:
                    structure = "inside a conditional";
                    break;
            }
        }
        return structure;
    }

    private static void AnalyzeLambda(OperationAnalysisContext context, IInvocationOperation invocation, Location location, IAnonymousFunctionOperation lambda)
    {
        var captures = Captures.Find(lambda);
        if (captures.Count > 0)
        {
            var first = captures[0];
            var what = first.Kind == "this" ? "`this`" : $"{first.Kind} `{first.Name}`";
            ReportNotFusable(context, invocation, location, "the lambda captures " + what);
            return;
        }
        if (ComplexStatement(lambda.Syntax) is { } complex)
        {
            ReportNotFusable(context, invocation, location, $"the lambda body contains {complex}, which is not a simple block");
        }
        if (!lambda.Symbol.IsStatic)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LambdaCanBeStatic, lambda.Syntax.GetLocation(), invocation.TargetMethod.Name));
        }
    }

    // A statement the generator does not inline: the lambda's body must be an expression or a simple block.
    private static string? ComplexStatement(SyntaxNode lambda)
    {
        if (lambda is not AnonymousFunctionExpressionSyntax { Block: { } block })
        {
            return null;
        }
        foreach (var node in block.DescendantNodes())
        {
            switch (node.Kind())
            {
                case SyntaxKind.TryStatement:
                    return "a try statement";
                case SyntaxKind.GotoStatement:
                case SyntaxKind.GotoCaseStatement:
                case SyntaxKind.GotoDefaultStatement:
                case SyntaxKind.LabeledStatement:
                    return "a goto or a label";
                case SyntaxKind.LocalFunctionStatement:
                    return "a local function";
                case SyntaxKind.YieldReturnStatement:
                case SyntaxKind.YieldBreakStatement:
                    return "a yield statement";
                case SyntaxKind.LockStatement:
                    return "a lock statement";
                case SyntaxKind.UnsafeStatement:
                case SyntaxKind.FixedStatement:
                    return "unsafe code";
            }
        }
        return null;
    }

    // Why a method group, function object or other value passed as a function cannot be fused; null when it can.
    private static string? FunctionProblem(IOperation function)
    {
        switch (function)
        {
            case IMethodReferenceOperation { Method: { } method } reference:
                if (method.IsStatic)
                {
                    return null;
                }
                if (method.MethodKind == MethodKind.LocalFunction)
                {
                    return $"the method group `{method.Name}` is a non-static local function";
                }
                var receiver = reference.Instance?.Type ?? method.ContainingType;
                return receiver is { IsValueType: true } or { IsSealed: true } && receiver.Locations.Length > 0 && receiver.Locations[0].IsInSource
                    ? null
                    : $"the method group `{reference.Syntax}` is an instance method of `{receiver?.Name}`, which is not a sealed type of this project";
            case IObjectCreationOperation { Type: { } created }:
                return created.IsSealed || created.IsValueType
                    ? null
                    : $"the function object `new {created.Name}(…)` is of a type that is not sealed";
            default:
                return $"the function is passed as a value (`{function.Syntax}`), not as a lambda, a method group or a `new` expression";
        }
    }

    private static void ReportNotFusable(OperationAnalysisContext context, IInvocationOperation invocation, Location location, string reason) =>
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.ChainNotFusable, location, invocation.TargetMethod.Name, FunctionArguments.LineOf(location), reason));
}
