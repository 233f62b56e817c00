using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DataflowCompiler.Analyzers.CodeFixes;

/// <summary>Fixes DFC0008 by adding the missing <c>partial</c> (and <c>static</c>, when the class declares no instance
/// members, so adding it cannot break the class) to a <c>[DataflowJob]</c> class.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeJobClassStaticPartialCodeFix)), Shared]
public sealed class MakeJobClassStaticPartialCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.JobClassNotStaticPartial.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<ClassDeclarationSyntax>() is not { } declaration)
        {
            return;
        }
        var addPartial = !declaration.Modifiers.Any(SyntaxKind.PartialKeyword);
        var addStatic = !declaration.Modifiers.Any(SyntaxKind.StaticKeyword) && declaration.Members.All(IsStaticMember);
        if (!addPartial && !addStatic)
        {
            return;
        }
        var title = addPartial && addStatic ? "Make the class static partial" : addPartial ? "Make the class partial" : "Make the class static";
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => FixAsync(context.Document, declaration, addStatic, addPartial, ct), equivalenceKey: title),
                diagnostic);
        }
    }

    private static bool IsStaticMember(MemberDeclarationSyntax member) => member switch
    {
        BaseMethodDeclarationSyntax method => method.Modifiers.Any(SyntaxKind.StaticKeyword),
        BasePropertyDeclarationSyntax property => property.Modifiers.Any(SyntaxKind.StaticKeyword),
        BaseFieldDeclarationSyntax field => field.Modifiers.Any(SyntaxKind.StaticKeyword) || field.Modifiers.Any(SyntaxKind.ConstKeyword),
        BaseTypeDeclarationSyntax or DelegateDeclarationSyntax => true,
        _ => false,
    };

    private static async Task<Document> FixAsync(Document document, ClassDeclarationSyntax declaration, bool addStatic, bool addPartial, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }
        var modifiers = declaration.Modifiers;
        var leading = modifiers.Count > 0 ? modifiers[0].LeadingTrivia : declaration.Keyword.LeadingTrivia;
        var keyword = declaration.Keyword;
        if (modifiers.Count == 0)
        {
            keyword = keyword.WithLeadingTrivia();
        }
        else
        {
            modifiers = modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia());
        }
        if (addStatic)
        {
            // After the accessibility modifiers: `public static partial class`.
            var index = 0;
            while (index < modifiers.Count && SyntaxFacts.IsAccessibilityModifier(modifiers[index].Kind()))
            {
                index++;
            }
            modifiers = modifiers.Insert(index, SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        }
        if (addPartial)
        {
            modifiers = modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        }
        modifiers = modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia(leading));
        var fixedDeclaration = declaration.WithModifiers(modifiers).WithKeyword(keyword);
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration));
    }
}
