using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using DataflowCompiler.Generator.Serialization;
using DataflowCompiler.Memory.Serialization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DataflowCompiler.Generator.Tests.Serialization;

/// <summary>Compiles test sources with the serializer generator, checks there is no diagnostic at all, and loads the result.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> s_references = References();

    /// <summary>
    /// Defines the <c>[DataflowJob]</c> attribute in the test source while the runtime does not have it yet
    /// (the fusion generator adds it); the generator keys only on its metadata name.
    /// </summary>
    public static string JobAttributeStub =>
        typeof(StreamEnvironment).Assembly.GetType("DataflowCompiler.DataflowJobAttribute") is null
            ? "namespace DataflowCompiler { [System.AttributeUsage(System.AttributeTargets.Class)] public sealed class DataflowJobAttribute : System.Attribute { } }"
            : "";

    public static CSharpCompilation CreateCompilation(string[] sources, IEnumerable<MetadataReference>? extraReferences = null, string? assemblyName = null) =>
        CSharpCompilation.Create(
            assemblyName ?? "SerializerTests_" + Guid.NewGuid().ToString("N"),
            sources.Select(source => CSharpSyntaxTree.ParseText(source, ParseOptions)),
            s_references.AddRange(extraReferences ?? []),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new SerializerGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; fails on any diagnostic of the generator or of the compilation with the generated code.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Result) Generate(CSharpCompilation input)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var result = driver.GetRunResult();
        Assert.Empty(result.Diagnostics);
        AssertNoDiagnostics(output);
        return (output, result);
    }

    public static void AssertNoDiagnostics(Compilation compilation)
    {
        var diagnostics = compilation.GetDiagnostics().Where(d => d.Severity != DiagnosticSeverity.Hidden).ToList();
        Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()))
            + Environment.NewLine + string.Join(Environment.NewLine, compilation.SyntaxTrees.Skip(1).Select(t => t.ToString())));
    }

    public static byte[] Emit(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return stream.ToArray();
    }

    /// <summary>Loads the compiled assemblies (the last one is returned) into a context of their own.</summary>
    public static Assembly Load(params Compilation[] compilations)
    {
        var context = new InMemoryLoadContext(compilations.ToDictionary(c => c.AssemblyName!, Emit));
        Assembly? last = null;
        foreach (var compilation in compilations)
        {
            last = context.LoadFromAssemblyName(new AssemblyName(compilation.AssemblyName!));
        }
        return last!;
    }

    /// <summary>Generates, compiles and loads one source (plus the job attribute stub when needed).</summary>
    public static Assembly CompileAndLoad(params string[] sources)
    {
        var (output, _) = Generate(CreateCompilation([.. sources, JobAttributeStub]));
        return Load(output);
    }

    public static T Invoke<T>(Assembly assembly, string typeName, string method, params object?[] arguments) =>
        (T)assembly.GetType(typeName, throwOnError: true)!.GetMethod(method)!.Invoke(null, arguments)!;

    private static ImmutableArray<MetadataReference> References()
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == framework);
        return [.. trusted
            .Concat([typeof(SerializerRegistry).Assembly.Location, typeof(Network.InputGate).Assembly.Location, typeof(StreamEnvironment).Assembly.Location])
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path))];
    }

    private sealed class InMemoryLoadContext(Dictionary<string, byte[]> images) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name is { } name && images.TryGetValue(name, out var image) ? LoadFromStream(new MemoryStream(image)) : null;
    }
}
