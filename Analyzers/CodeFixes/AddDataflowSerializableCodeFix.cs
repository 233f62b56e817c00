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

/// <summary>Fixes DFC0006 for a record type that has no serializer by marking it <c>[DataflowSerializable]</c>, so the
/// serializer generator writes one. The type may be declared in another document than the job that uses it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddDataflowSerializableCodeFix)), Shared]
public sealed class AddDataflowSerializableCodeFix : CodeFixProvider
{
    private const string AttributeNamespace = "DataflowCompiler.Serialization";
    private const string AttributeShortName = "DataflowSerializable";
    private const string AttributeMetadataName = AttributeNamespace + "." + AttributeShortName + "Attribute";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.RecordNotSerializable.Id);

    // Several diagnostics can name the same type; fixing them one at a time keeps the attribute single.
    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
        if (compilation?.GetTypeByMetadataName(AttributeMetadataName) is null)
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(RecordSerializabilityAnalyzer.FixProperty, out var fix)
                || fix != RecordSerializabilityAnalyzer.AddAttributeFix
                || !diagnostic.Properties.TryGetValue(RecordSerializabilityAnalyzer.TypeProperty, out var typeId)
                || typeId is null
                || DocumentationCommentId.GetFirstSymbolForDeclarationId(typeId, compilation) is not INamedTypeSymbol type
                || type.DeclaringSyntaxReferences.Length == 0)
            {
                continue;
            }
            var title = $"Mark `{type.Name}` [DataflowSerializable]";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => FixAsync(context.Document.Project.Solution, type.DeclaringSyntaxReferences[0], ct), equivalenceKey: "AddDataflowSerializable"),
                diagnostic);
        }
    }

    private static async Task<Solution> FixAsync(Solution solution, SyntaxReference reference, CancellationToken cancellationToken)
    {
        var document = solution.GetDocument(reference.SyntaxTree);
        var root = await reference.SyntaxTree.GetRootAsync(cancellationToken).ConfigureAwait(false);
        if (document is null || root.FindNode(reference.Span) is not TypeDeclarationSyntax declaration)
        {
            return solution;
        }
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var inScope = model?.GetSpeculativeSymbolInfo(
            declaration.SpanStart, SyntaxFactory.IdentifierName(AttributeShortName + "Attribute"), SpeculativeBindingOption.BindAsTypeOrNamespace).Symbol is INamedTypeSymbol found
            && found.ToDisplayString() == AttributeMetadataName;

        var leading = declaration.GetLeadingTrivia();
        var indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading[leading.Count - 1])
            : SyntaxFactory.TriviaList();
        var attributes = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(AttributeShortName))))
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
        var fixedDeclaration = declaration.WithoutLeadingTrivia().WithLeadingTrivia(indentation);
        fixedDeclaration = fixedDeclaration.WithAttributeLists(fixedDeclaration.AttributeLists.Insert(0, attributes));
        if (declaration.AttributeLists.Count > 0)
        {
            // The existing first list carried the leading trivia; it now follows the new list on its own line.
            var first = fixedDeclaration.AttributeLists[1];
            fixedDeclaration = fixedDeclaration.ReplaceNode(first, first.WithLeadingTrivia(indentation));
        }
        var fixedRoot = root.ReplaceNode(declaration, fixedDeclaration);
        if (!inScope && fixedRoot is CompilationUnitSyntax unit)
        {
            fixedRoot = AddUsing(unit);
        }
        return solution.WithDocumentSyntaxRoot(document.Id, fixedRoot);
    }

    // `using DataflowCompiler.Serialization;` after the existing usings, or first in the file followed by a blank line.
    private static CompilationUnitSyntax AddUsing(CompilationUnitSyntax unit)
    {
        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(AttributeNamespace))
            .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
        if (unit.Usings.Count > 0)
        {
            return unit.WithUsings(unit.Usings.Add(directive));
        }
        var first = unit.GetFirstToken(includeZeroWidth: true);
        var fileHeader = first.LeadingTrivia;
        var withoutHeader = unit.ReplaceToken(first, first.WithLeadingTrivia());
        return withoutHeader.WithUsings(SyntaxFactory.SingletonList(
            directive.WithLeadingTrivia(fileHeader).WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"), SyntaxFactory.EndOfLine("\n"))));
    }
}
