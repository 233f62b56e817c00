using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>What a lambda captures, and whether a captured variable is mutable.</summary>
internal static class Captures
{
    /// <summary>The variables <paramref name="lambda"/> uses from outside itself, each once, in order of first use.
    /// Instance fields reached through <c>this</c> and static fields count as fields; <c>this</c> alone counts as
    /// <c>this</c>; fields of other objects (the record, say) do not count.</summary>
    public static List<CapturedVariable> Find(IAnonymousFunctionOperation lambda)
    {
        var found = new List<CapturedVariable>();
        var span = lambda.Syntax.Span;
        foreach (var operation in lambda.Body.Descendants())
        {
            switch (operation)
            {
                case ILocalReferenceOperation local when !span.Contains(DeclarationSpan(local.Local)):
                    Add(found, local.Local, "local", local.Local.Name, operation.Syntax);
                    break;
                case IParameterReferenceOperation parameter when !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, lambda.Symbol)
                    && !span.Contains(DeclarationSpan(parameter.Parameter)):
                    Add(found, parameter.Parameter, "parameter", parameter.Parameter.Name, operation.Syntax);
                    break;
                case IFieldReferenceOperation field when !field.Field.IsConst
                    && (field.Field.IsStatic || field.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }):
                    Add(found, field.Field, "field", field.Field.Name, operation.Syntax);
                    break;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance
                    when instance.Parent is not IFieldReferenceOperation:
                    Add(found, null, "this", "this", operation.Syntax);
                    break;
                case IInvocationOperation { TargetMethod: { MethodKind: MethodKind.LocalFunction, IsStatic: false } target }
                    when !span.Contains(DeclarationSpan(target)):
                    Add(found, target, "local function", target.Name, operation.Syntax);
                    break;
            }
        }
        return found;
    }

    /// <summary>Whether a captured local or parameter is written where the lambda can observe it: inside the lambda,
    /// after the lambda in the source, or anywhere in a loop that also contains the lambda.</summary>
    public static bool IsWrittenAfterCapture(ISymbol variable, SyntaxNode lambda, SemanticModel model)
    {
        var scope = ScopeOf(variable);
        if (scope is null)
        {
            return false;
        }
        foreach (var node in scope.DescendantNodes())
        {
            if (node is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != variable.Name || !IsWrite(identifier))
            {
                continue;
            }
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier).Symbol, variable))
            {
                continue;
            }
            if (identifier.SpanStart >= lambda.SpanStart || ShareLoop(identifier, lambda))
            {
                return true;
            }
        }
        return false;
    }

    private static SyntaxNode? ScopeOf(ISymbol variable)
    {
        var references = variable.ContainingSymbol?.DeclaringSyntaxReferences;
        if (references is not { Length: > 0 } list)
        {
            return null;
        }
        // Top-level statements declare their locals in the compilation unit, which is the synthesized Main's syntax.
        return list[0].GetSyntax();
    }

    private static bool IsWrite(IdentifierNameSyntax identifier)
    {
        SyntaxNode node = identifier;
        // `this.x`, `(x)`: climb to the expression that is assigned.
        while (node.Parent is ParenthesizedExpressionSyntax
            || (node.Parent is MemberAccessExpressionSyntax access && access.Name == node && access.Expression is ThisExpressionSyntax))
        {
            node = node.Parent;
        }
        switch (node.Parent)
        {
            case AssignmentExpressionSyntax assignment:
                return assignment.Left == node;
            case PrefixUnaryExpressionSyntax prefix:
                return prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression);
            case PostfixUnaryExpressionSyntax postfix:
                return postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression);
            case ArgumentSyntax { Parent: TupleExpressionSyntax { Parent: AssignmentExpressionSyntax deconstruction } tuple }:
                // `(x, y) = …`
                return deconstruction.Left == tuple;
            case ArgumentSyntax argument:
                return argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword);
            default:
                return false;
        }
    }

    private static bool ShareLoop(SyntaxNode write, SyntaxNode lambda)
    {
        for (var node = lambda.Parent; node is not null; node = node.Parent)
        {
            if (node is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                && node.Span.Contains(write.Span))
            {
                return true;
            }
        }
        return false;
    }

    private static Microsoft.CodeAnalysis.Text.TextSpan DeclarationSpan(ISymbol symbol)
    {
        var references = symbol.DeclaringSyntaxReferences;
        return references.Length > 0 ? references[0].Span : default;
    }

    private static void Add(List<CapturedVariable> found, ISymbol? symbol, string kind, string name, SyntaxNode use)
    {
        foreach (var existing in found)
        {
            if (existing.Kind == kind && SymbolEqualityComparer.Default.Equals(existing.Symbol, symbol))
            {
                return;
            }
        }
        found.Add(new CapturedVariable(symbol, kind, name, use));
    }
}
