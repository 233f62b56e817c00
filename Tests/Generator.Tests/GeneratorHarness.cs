using System.Collections.Immutable;
using System.Reflection;
using DataflowCompiler.Fusion;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DataflowCompiler.Generator.Tests;

/// <summary>
/// Compiles job sources together with the fusion generator's output, fails on any diagnostic, loads the
/// assembly and runs a job's Define method on the local cluster, fused or interpreted.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Preview)
        .WithFeatures(new[] { new KeyValuePair<string, string>("InterceptorsNamespaces", "DataflowCompiler.Generated") });

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToHashSet();
        paths.Add(typeof(StreamEnvironment).Assembly.Location);
        paths.Add(typeof(Network.RecordWriter<>).Assembly.Location);
        paths.Add(typeof(Memory.MemorySegment).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public static CSharpCompilation CreateCompilation(string assemblyName, params string[] sources) =>
        CSharpCompilation.Create(assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Job{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        new[] { new DataflowJobGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator, asserts that neither it nor the compiler reports anything, and returns the loaded assembly and the generated text.</summary>
    public static (Assembly Assembly, string Generated) CompileAndLoad(string assemblyName, params string[] sources)
    {
        var compilation = CreateCompilation(assemblyName, sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var generated = string.Join("\n", driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));
        var diagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics) + "\n\n" + generated);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return (Assembly.Load(stream.ToArray()), generated);
    }

    /// <summary>Runs <c>Define</c> of <paramref name="jobType"/> and returns the records of its static <c>Results</c> sink, sorted, and the fusion log.</summary>
    public static (List<string> Results, List<string> Log) Run(Type jobType, int parallelism, FusionMode fusion, TimeProvider? clock = null)
    {
        var log = new List<string>();
        var sink = jobType.GetField("Results")!.GetValue(null)!;
        sink.GetType().GetMethod("Clear")!.Invoke(sink, null);
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration
        {
            Parallelism = parallelism,
            Fusion = fusion,
            FusionLog = line => { lock (log) { log.Add(line); } },
            TimeProvider = clock ?? TimeProvider.System,
        });
        jobType.GetMethod("Define")!.Invoke(null, new object[] { env });
        env.Execute(jobType.Name);
        var results = ((System.Collections.IEnumerable)sink.GetType().GetProperty("Results")!.GetValue(sink)!).Cast<object>()
            .Select(r => r.ToString()!).OrderBy(s => s, StringComparer.Ordinal).ToList();
        return (results, log);
    }

    public static ImmutableArray<IncrementalGeneratorRunStep> Steps(GeneratorDriver driver, string name) =>
        driver.GetRunResult().Results[0].TrackedSteps.TryGetValue(name, out var steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty;
}
