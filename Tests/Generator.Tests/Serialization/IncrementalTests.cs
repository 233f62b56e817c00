using System.Collections;
using System.Reflection;
using DataflowCompiler.Generator.Serialization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DataflowCompiler.Generator.Tests.Serialization;

public sealed class IncrementalTests
{
    private const string Unrelated = "namespace Other; public static class Unrelated { public static int Answer() => 41; }";

    private static readonly string[] s_trackedSteps =
        [SerializerGenerator.Steps.AttributeTargets, SerializerGenerator.Steps.JobTypes, SerializerGenerator.Steps.Types];

    [Fact]
    public void An_unrelated_edit_leaves_every_step_and_output_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation([TestSources.Shop, Unrelated, EndToEndTests.JobSource, GeneratorHarness.JobAttributeStub]);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(1),
            CSharpSyntaxTree.ParseText(Unrelated.Replace("41", "42"), GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in s_trackedSteps)
        {
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        }
        Assert.Equal(9, result.TrackedSteps[SerializerGenerator.Steps.Types].Single().Outputs.Length); // Shop's six, the job's Trade, Venue and SymbolKey
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Editing_one_type_regenerates_only_that_type()
    {
        var compilation = GeneratorHarness.CreateCompilation([TestSources.Shop]);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(
            TestSources.Shop.Replace("record Click(long UserId, string Url, int Count)", "record Click(long UserId, string Url, int Count, bool Mobile)"),
            GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var types = result.TrackedSteps[SerializerGenerator.Steps.Types].Single().Outputs;
        var modified = types.Where(o => o.Reason == IncrementalStepRunReason.Modified).Select(o => ((SerializableTypeSpec)o.Value).DisplayName);
        Assert.Equal(["Shop.Click"], modified);
        Assert.Equal(5, types.Count(o => o.Reason == IncrementalStepRunReason.Unchanged));
        Assert.Contains("output.WriteBoolean(value.Mobile);",
            result.GeneratedSources.Single(s => s.HintName == "Shop.Click.Serializer.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_compilations_or_locations()
    {
        var compilation = GeneratorHarness.CreateCompilation([TestSources.Shop, EndToEndTests.JobSource, GeneratorHarness.JobAttributeStub]);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        int visited = 0;
        foreach (var step in s_trackedSteps)
        {
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                AssertPlainModel(output.Value, step, ref visited);
            }
        }
        Assert.True(visited > 10, $"only {visited} model objects visited");
    }

    private static void AssertPlainModel(object? value, string path, ref int visited)
    {
        if (value is null or string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }
        visited++;
        Assert.False(value is ISymbol or SyntaxNode or Compilation or Location or SemanticModel or SyntaxTree,
            $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable items)
        {
            foreach (var item in items)
            {
                AssertPlainModel(item, path + "[]", ref visited);
            }
            return;
        }
        Assert.True(value.GetType().Assembly == typeof(SerializerGenerator).Assembly, $"{path} holds a {value.GetType().FullName}");
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertPlainModel(property.GetValue(value), path + "." + property.Name, ref visited);
        }
    }
}
