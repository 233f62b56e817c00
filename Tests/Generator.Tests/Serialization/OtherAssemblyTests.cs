using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Generator.Tests.Serialization;

public sealed class OtherAssemblyTests
{
    private const string Vendor = """
        namespace Vendor;

        public sealed class Quote
        {
            public string Symbol { get; set; } = "";
            public decimal Price { get; set; }
            internal int Secret { get; set; } // not reachable from another assembly: not serialized
        }

        public sealed record Tick(string Symbol, long Time, Quote? Last);
        """;

    private const string App = """
        using DataflowCompiler.Memory.Serialization;
        using DataflowCompiler.Serialization;

        [assembly: DataflowSerializable(typeof(Vendor.Quote))]
        [assembly: DataflowSerializable(typeof(Vendor.Tick))]

        namespace App;

        public static class Probe
        {
            public static string RoundTrip(string symbol, decimal price, long time)
            {
                var registry = new SerializerRegistry();
                var serializer = registry.Get<Vendor.Tick>();
                var output = new DataOutputSerializer();
                serializer.Serialize(new Vendor.Tick(symbol, time, new Vendor.Quote { Symbol = symbol + "!", Price = price }), output);
                var input = new DataInputView(output.WrittenSpan);
                var copy = serializer.Deserialize(ref input);
                return $"{serializer.GetType().Namespace}|{copy.Symbol}|{copy.Time}|{copy.Last!.Symbol}|{copy.Last.Price}|{input.Remaining}";
            }
        }
        """;

    [Fact]
    public void A_type_from_another_assembly_named_by_the_assembly_attribute_gets_a_serializer()
    {
        var vendor = GeneratorHarness.CreateCompilation([Vendor], assemblyName: "Vendor_" + Guid.NewGuid().ToString("N"));
        GeneratorHarness.AssertNoDiagnostics(vendor);
        var app = GeneratorHarness.CreateCompilation([App], [MetadataReference.CreateFromImage(GeneratorHarness.Emit(vendor))]);

        var (output, result) = GeneratorHarness.Generate(app);
        var assembly = GeneratorHarness.Load(vendor, output);

        Assert.Equal(["Vendor.Quote.Serializer.g.cs", "Vendor.Tick.Serializer.g.cs"], result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Assert.Equal("DataflowCompiler.Serialization.Generated|ACME|42|ACME!|12.50|0",
            GeneratorHarness.Invoke<string>(assembly, "App.Probe", "RoundTrip", "ACME", 12.50m, 42L));
    }
}
