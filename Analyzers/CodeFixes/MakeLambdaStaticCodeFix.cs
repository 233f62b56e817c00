using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DataflowCompiler.Analyzers.CodeFixes;

/// <summary>Fixes DFC0011 by making a lambda that captures nothing <c>static</c>, so the compiler keeps it that way.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeLambdaStaticCodeFix)), Shared]
public sealed class MakeLambdaStaticCodeFix : CodeFixProvider
{
    private const string Title = "Make the lambda static";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.LambdaCanBeStatic.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<LambdaExpressionSyntax>() is not { } lambda
            || lambda.Modifiers.Any(SyntaxKind.StaticKeyword))
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(CodeAction.Create(Title, ct => FixAsync(context.Document, lambda, ct), equivalenceKey: Title), diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, LambdaExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }
        var leading = lambda.GetLeadingTrivia();
        var modifiers = lambda.WithoutLeadingTrivia().Modifiers
            .Insert(0, SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        var fixedLambda = lambda.WithoutLeadingTrivia().WithModifiers(modifiers).WithLeadingTrivia(leading);
        return document.WithSyntaxRoot(root.ReplaceNode(lambda, fixedLambda));
    }
}
