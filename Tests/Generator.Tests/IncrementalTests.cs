using System.Reflection;
using DataflowCompiler.Generator.Fusion;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DataflowCompiler.Generator.Tests;

/// <summary>The generator's pipeline caches: an unrelated edit re-runs nothing, and models hold no compiler objects.</summary>
public sealed class IncrementalTests
{
    private const string Job = """
        using DataflowCompiler;
        using DataflowCompiler.Sinks;

        namespace Jobs.Incremental;

        [DataflowJob]
        public static partial class IncrementalJob
        {
            public static readonly CollectSink<long> Results = new();

            public static void Define(StreamEnvironment env) =>
                env.FromSequence(1, 10).Map(static x => x + 1).KeyBy(static x => x % 2).Reduce(static (a, b) => a + b).SinkTo(Results);
        }
        """;

    [Fact]
    public void Unrelated_edit_leaves_the_steps_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation("Incremental", Job);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = GeneratorHarness.Steps(driver, DataflowJobGenerator.FusionJobsStep);
        Assert.Single(first);
        Assert.IsType<JobSpec>(Assert.Single(first[0].Outputs).Value);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Unrelated { public static int Value => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        driver = driver.RunGenerators(edited);

        var result = driver.GetRunResult().Results[0];
        var steps = result.TrackedSteps[DataflowJobGenerator.FusionJobsStep];
        Assert.NotEmpty(steps);
        Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {o.Reason}"));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Same_job_parsed_twice_gives_equal_models()
    {
        JobSpec Parse()
        {
            var driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.CreateCompilation("Equal", Job));
            return (JobSpec)GeneratorHarness.Steps(driver, DataflowJobGenerator.FusionJobsStep)[0].Outputs[0].Value;
        }
        var a = Parse();
        var b = Parse();
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(2, a.Chains.Count(c => c.SourceHeaded));
    }

    [Fact]
    public void No_model_holds_symbols_syntax_compilations_or_locations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel) };
        var models = typeof(JobSpec).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(JobSpec).Namespace && (t.Name.EndsWith("Spec", StringComparison.Ordinal) || t.Name.StartsWith("EquatableArray", StringComparison.Ordinal)))
            .ToList();
        Assert.Contains(typeof(ChainSpec), models);
        var seen = new HashSet<Type>();
        void Check(Type type, string path)
        {
            if (!seen.Add(type))
            {
                return;
            }
            Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}");
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes)
            {
                Check(argument, path + "<>");
            }
            if (type.IsArray)
            {
                Check(type.GetElementType()!, path + "[]");
            }
            if (type.Assembly == typeof(JobSpec).Assembly)
            {
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    Check(field.FieldType, $"{path}.{field.Name}");
                }
            }
        }
        foreach (var model in models)
        {
            Check(model, model.Name);
        }
    }
}
