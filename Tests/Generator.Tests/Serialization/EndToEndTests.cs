using System.Reflection;
using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Generator.Tests.Serialization;

/// <summary>A job whose record type crosses a rebalance edge runs with only the generated serializer.</summary>
public sealed class EndToEndTests
{
    internal const string JobSource = """
        using System.Collections.Generic;
        using System.Linq;
        using DataflowCompiler;

        namespace Trading;

        // Neither annotated nor registered: the generator finds it as a stream record type of the job.
        public sealed record Trade(long Id, string Symbol, List<long> Fills, Venue? Venue);

        public sealed record Venue(string Name);

        public sealed record SymbolKey(string Symbol, int Length);

        [DataflowJob]
        public static class RebalanceJob
        {
            public static List<string> Run()
            {
                var env = StreamEnvironment.CreateLocal(2);
                DataStream<Trade> trades = env.FromCollection(Enumerable.Range(0, 1000)
                    .Select(i => new Trade(i, "S" + (i % 7), Enumerable.Range(0, i % 4).Select(f => (long)f).ToList(), i % 3 == 0 ? null : new Venue("V" + (i % 5)))));
                var sink = trades
                    .Rebalance()
                    .Map(t => t with { Fills = t.Fills.Append(t.Id).ToList() })
                    .CollectToList();
                env.Execute("rebalance");
                return sink.Results.Select(Describe).Order().ToList();
            }

            /// <summary>A generated record as the key (hashed over its bytes) and as the reduced value kept in keyed state.</summary>
            public static List<string> RunKeyed()
            {
                var env = StreamEnvironment.CreateLocal(2);
                var sink = env.FromCollection(Enumerable.Range(0, 700).Select(i => new Trade(i, "S" + (i % 7), new List<long> { 1 }, null)))
                    .KeyBy(t => new SymbolKey(t.Symbol, t.Symbol.Length))
                    .Reduce((a, b) => a with { Id = a.Id + b.Id, Fills = a.Fills.Concat(b.Fills).ToList() })
                    .CollectToList();
                env.Execute("keyed");
                return sink.Results.GroupBy(t => t.Symbol).Select(g => g.MaxBy(t => t.Fills.Count)!).Select(Describe).Order().ToList();
            }

            public static string SerializerOfTrade() => new DataflowCompiler.Memory.Serialization.SerializerRegistry().Get<Trade>().GetType().Namespace!;

            public static string Describe(Trade t) => $"{t.Id}:{t.Symbol}:{string.Join(",", t.Fills)}:{t.Venue?.Name ?? "-"}";
        }
        """;

    [Fact]
    public void A_record_crossing_a_rebalance_edge_runs_on_two_subtasks_with_the_generated_serializer()
    {
        var assembly = GeneratorHarness.CompileAndLoad(JobSource);

        var results = GeneratorHarness.Invoke<List<string>>(assembly, "Trading.RebalanceJob", "Run");

        var expected = Enumerable.Range(0, 1000)
            .Select(i => $"{i}:S{i % 7}:{string.Join(",", Enumerable.Range(0, i % 4).Select(f => (long)f).Append(i))}:{(i % 3 == 0 ? "-" : "V" + (i % 5))}")
            .Order().ToList();
        Assert.Equal(expected, results);
        Assert.Equal("DataflowCompiler.Serialization.Generated", GeneratorHarness.Invoke<string>(assembly, "Trading.RebalanceJob", "SerializerOfTrade"));
    }

    [Fact]
    public void A_generated_record_works_as_key_and_as_keyed_state()
    {
        var assembly = GeneratorHarness.CompileAndLoad(JobSource);

        var results = GeneratorHarness.Invoke<List<string>>(assembly, "Trading.RebalanceJob", "RunKeyed");

        // Each symbol's last running reduction: the sum of its ids and one fill per trade.
        var expected = Enumerable.Range(0, 7)
            .Select(s => $"{Enumerable.Range(0, 700).Where(i => i % 7 == s).Sum()}:S{s}:{string.Join(",", Enumerable.Repeat(1, 100))}:-")
            .Order().ToList();
        Assert.Equal(expected, results);
    }

    [Fact]
    public void Without_the_generator_the_same_job_has_no_serializer_for_its_record()
    {
        var compilation = GeneratorHarness.CreateCompilation([JobSource, GeneratorHarness.JobAttributeStub]);
        GeneratorHarness.AssertNoDiagnostics(compilation);
        Assembly assembly = GeneratorHarness.Load(compilation);

        var error = Assert.ThrowsAny<Exception>(() => GeneratorHarness.Invoke<List<string>>(assembly, "Trading.RebalanceJob", "Run"));
        Assert.Contains("Trading.Trade", (error.InnerException ?? error).Message);
    }
}
