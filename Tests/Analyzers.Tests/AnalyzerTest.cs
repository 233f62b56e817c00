using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DataflowCompiler.Analyzers.Tests;

/// <summary>Compiles test sources against the runtime and runs analyzers over them.</summary>
internal static class AnalyzerTest
{
    /// <summary>Stand-ins for the attributes other components add to the runtime; matched by metadata name.</summary>
    public const string AttributeStubs = """
        namespace DataflowCompiler
        {
            [System.AttributeUsage(System.AttributeTargets.Class)]
            public sealed class DataflowJobAttribute : System.Attribute { }
        }
        namespace DataflowCompiler.Serialization
        {
            [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct)]
            public sealed class DataflowSerializableAttribute : System.Attribute { }
        }
        """;

    /// <summary>The usings every test document sees, as a user's project with implicit usings would.</summary>
    public const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using DataflowCompiler;
        global using DataflowCompiler.Functions;
        global using DataflowCompiler.Sinks;
        """;

    /// <summary>The platform assemblies and the runtime the tests run on.</summary>
    public static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    /// <summary>Parse options of every test document.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>Compiles <paramref name="source"/> (with the attribute stubs and global usings) as a library.</summary>
    public static CSharpCompilation Compile(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary) =>
        CSharpCompilation.Create(
            "TestJob",
            [
                CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Test.cs"),
                CSharpSyntaxTree.ParseText(AttributeStubs, ParseOptions, path: "Stubs.cs"),
                CSharpSyntaxTree.ParseText(GlobalUsings, ParseOptions, path: "Usings.cs"),
            ],
            References,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Runs <paramref name="analyzer"/> over <paramref name="source"/> and returns its diagnostics in source order.
    /// Fails when the source itself does not compile, so a negative test cannot pass on a typo.</summary>
    public static async Task<ImmutableArray<Diagnostic>> RunAsync(DiagnosticAnalyzer analyzer, string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var compilation = Compile(source, kind);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The test source does not compile:\n" + string.Join("\n", errors));
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers([analyzer], options);
        var all = await withAnalyzers.GetAllDiagnosticsAsync();
        var failures = all.Where(d => d.Id == "AD0001").ToList();
        Assert.True(failures.Count == 0, "The analyzer threw:\n" + string.Join("\n", failures));
        var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).ToHashSet();
        return [.. all.Where(d => ids.Contains(d.Id)).OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)];
    }

    /// <summary>Asserts that <paramref name="analyzer"/> reports exactly the diagnostics marked in <paramref name="markup"/>.</summary>
    public static async Task<ImmutableArray<Diagnostic>> VerifyAsync(DiagnosticAnalyzer analyzer, string markup, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var source = TestSource.Parse(markup);
        var actual = await RunAsync(analyzer, source.Text, kind);
        var actualPairs = actual
            .Where(d => d.Location.SourceTree?.FilePath == "Test.cs")
            .Select(d => $"{d.Id} {Show(source.Text, d.Location.SourceSpan)}")
            .ToList();
        var expectedPairs = source.Expected.Select(e => $"{e.Id} {Show(source.Text, e.Span)}").ToList();
        Assert.Equal(expectedPairs, actualPairs);
        Assert.All(actual, d => Assert.Equal("Test.cs", d.Location.SourceTree?.FilePath));
        return actual;
    }

    private static string Show(string text, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        $"[{span.Start}..{span.End}) `{text.Substring(span.Start, span.Length)}`";

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var builder = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var path in paths)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "mscorlib" or "netstandard")
            {
                builder.Add(MetadataReference.CreateFromFile(path));
            }
        }
        // The runtime and the components it references (Memory, Network), as a user's job references them.
        var runtime = typeof(StreamEnvironment).Assembly;
        builder.Add(MetadataReference.CreateFromFile(runtime.Location));
        foreach (var referenced in runtime.GetReferencedAssemblies())
        {
            if (referenced.Name?.StartsWith("DataflowCompiler", StringComparison.Ordinal) == true)
            {
                builder.Add(MetadataReference.CreateFromFile(System.Reflection.Assembly.Load(referenced).Location));
            }
        }
        return builder.ToImmutable();
    }
}
