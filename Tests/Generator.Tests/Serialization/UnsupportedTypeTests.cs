namespace DataflowCompiler.Generator.Tests.Serialization;

public sealed class UnsupportedTypeTests
{
    private const string Source = """
        using System.Collections.Generic;
        using DataflowCompiler.Serialization;

        namespace Odd;

        [DataflowSerializable] public sealed record Fine(long Id, List<string> Names);
        [DataflowSerializable] public sealed record HasObject(long Id, object Payload);
        [DataflowSerializable] public sealed record Node(long Value, Node? Next);
        [DataflowSerializable] public sealed record Ping(long Id, Pong? Reply);
        [DataflowSerializable] public sealed record Pong(long Id, List<Ping> Replies);
        [DataflowSerializable] public sealed record HoldsUnsupported(long Id, HasObject Inner);
        [DataflowSerializable] public sealed record Generic<T>(T Value);
        [DataflowSerializable] public abstract record Shape(long Id);
        [DataflowSerializable] public sealed record WithInterface(IEnumerable<int> Values);
        [DataflowSerializable] public sealed record WithDictionary(Dictionary<string, int> Counts);
        [DataflowSerializable] public sealed class ReadOnlyState { public int Count { get; } = 3; }
        [DataflowSerializable] public sealed class NoUsableConstructor { public NoUsableConstructor(string other) { Name = other; } public string Name { get; set; } }
        [DataflowSerializable] public sealed class ReadOnlyField { public readonly int Count; }
        public static class Outer { [DataflowSerializable] private sealed record Hidden(long Id); }
        public static class Catalog { [DataflowSerializable] public sealed record Item(string Sku, long Price); }
        // Member names that are keywords or the generated code's own names still compile.
        [DataflowSerializable] public sealed class Awkward { public int @class; public long Value { get; set; } public string? Flag { get; set; } public Fine? Input { get; set; } public int Registry; }
        """;

    [Fact]
    public void Unsupported_types_get_no_serializer_and_the_generator_reports_nothing_while_supported_neighbours_compile()
    {
        // Generate fails the test on any diagnostic of the generator or of the compilation.
        var (_, result) = GeneratorHarness.Generate(GeneratorHarness.CreateCompilation([Source]));

        Assert.Equal(["Odd.Awkward.Serializer.g.cs", "Odd.Catalog+Item.Serializer.g.cs", "Odd.Fine.Serializer.g.cs"],
            result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }
}
