using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DataflowCompiler.Analyzers.Tests;

/// <summary>Applies a code fix in an <see cref="AdhocWorkspace"/> and checks the result.</summary>
internal static class CodeFixTest
{
    /// <summary>Runs <paramref name="analyzer"/> over the documents, applies <paramref name="fix"/> to the first
    /// diagnostic with <paramref name="id"/>, and asserts that each document then reads as expected, that the project
    /// compiles, and that <paramref name="remaining"/> diagnostics with that id are left. Documents are (name, source
    /// before, source after).</summary>
    public static async Task VerifyAsync(
        DiagnosticAnalyzer analyzer,
        CodeFixProvider fix,
        string id,
        int remaining,
        params (string Name, string Before, string After)[] documents)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            "TestJob",
            "TestJob",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: AnalyzerTest.ParseOptions,
            metadataReferences: AnalyzerTest.References));
        var ids = new List<DocumentId>();
        foreach (var (name, before, _) in documents)
        {
            ids.Add(workspace.AddDocument(project.Id, name, SourceText.From(before)).Id);
        }
        workspace.AddDocument(project.Id, "Stubs.cs", SourceText.From(AnalyzerTest.AttributeStubs));
        workspace.AddDocument(project.Id, "Usings.cs", SourceText.From(AnalyzerTest.GlobalUsings));
        var solution = workspace.CurrentSolution;

        var diagnostics = await DiagnosticsAsync(solution.GetProject(project.Id)!, analyzer);
        var target = diagnostics.First(d => d.Id == id); // the first in source order
        var document = solution.GetDocument(target.Location.SourceTree)!;
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, target, (action, _) => actions.Add(action), CancellationToken.None);
        await fix.RegisterCodeFixesAsync(context);
        var action = Assert.Single(actions);
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var fixedSolution = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;

        for (var i = 0; i < documents.Length; i++)
        {
            var text = await fixedSolution.GetDocument(ids[i])!.GetTextAsync();
            Assert.Equal(documents[i].After.ReplaceLineEndings("\n"), text.ToString().ReplaceLineEndings("\n"));
        }
        var fixedProject = fixedSolution.GetProject(project.Id)!;
        var compilation = (await fixedProject.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The fixed source does not compile:\n" + string.Join("\n", errors));
        var after = await DiagnosticsAsync(fixedProject, analyzer);
        Assert.Equal(remaining, after.Count(d => d.Id == id));
    }

    /// <summary>Asserts that <paramref name="fix"/> offers nothing for any diagnostic <paramref name="analyzer"/> reports.</summary>
    public static async Task VerifyNoFixAsync(DiagnosticAnalyzer analyzer, CodeFixProvider fix, string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "TestJob", "TestJob", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: AnalyzerTest.ParseOptions,
            metadataReferences: AnalyzerTest.References));
        workspace.AddDocument(project.Id, "Test.cs", SourceText.From(source));
        workspace.AddDocument(project.Id, "Stubs.cs", SourceText.From(AnalyzerTest.AttributeStubs));
        workspace.AddDocument(project.Id, "Usings.cs", SourceText.From(AnalyzerTest.GlobalUsings));
        var solution = workspace.CurrentSolution;
        var diagnostics = (await DiagnosticsAsync(solution.GetProject(project.Id)!, analyzer)).Where(d => fix.FixableDiagnosticIds.Contains(d.Id)).ToList();
        Assert.NotEmpty(diagnostics);
        foreach (var diagnostic in diagnostics)
        {
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(solution.GetDocument(diagnostic.Location.SourceTree)!, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await fix.RegisterCodeFixesAsync(context);
            Assert.Empty(actions);
        }
    }

    private static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Project project, DiagnosticAnalyzer analyzer)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The test source does not compile:\n" + string.Join("\n", errors));
        var diagnostics = await compilation.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)];
    }
}
