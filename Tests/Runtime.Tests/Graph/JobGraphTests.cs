using DataflowCompiler.Graph;

namespace DataflowCompiler.Runtime.Tests.Graph;

/// <summary>Chaining follows Flink's rules and every chain has a stable signature.</summary>
public sealed class JobGraphTests
{
    private static JobGraph Build(StreamEnvironment env) =>
        JobGraphBuilder.Build("test", env.Graph, env.Configuration, env.Serializers);

    [Fact]
    public void Forward_operators_of_equal_parallelism_form_one_chain_and_key_by_starts_another()
    {
        var env = StreamEnvironment.CreateLocal(2);
        env.FromSequence(1, 10).Map(v => v + 1).Filter(v => v > 3).KeyBy(v => v % 3).Reduce((a, b) => a + b).Print();
        var job = Build(env);
        Assert.Equal(2, job.Vertices.Count);
        Assert.Equal("Source: Sequence -> Map -> Filter", job.Vertices[0].Name);
        Assert.Equal("Reduce -> Sink: Print", job.Vertices[1].Name);
        Assert.Equal("Source<→Int64> -> Map<Int64→Int64> -> Filter<Int64→Int64> => hash<Int64>", job.Vertices[0].Signature);
        Assert.Equal("Reduce<Int64→Int64> -> Sink<Int64→Int64>", job.Vertices[1].Signature);
    }

    [Fact]
    public void Different_parallelism_disable_chaining_start_new_chain_and_union_break_chains()
    {
        var env = StreamEnvironment.CreateLocal(2);
        var a = env.FromSequence(1, 10).Map(v => v).SetParallelism(1);          // parallelism differs from the source
        var b = a.Map(v => v).DisableChaining();                                 // never chained
        var c = b.Map(v => v).StartNewChain().Filter(v => true);                 // new chain; the filter chains to it
        c.Union(env.FromSequence(1, 3)).Map(v => v).Print();                     // two inputs: not chained
        var job = Build(env);
        Assert.Equal(new[] { "Source: Sequence", "Map", "Map", "Map -> Filter", "Source: Sequence", "Map -> Sink: Print" }, job.Vertices.Select(v => v.Name));
    }

    [Fact]
    public void Signatures_do_not_depend_on_names_or_ids()
    {
        string Signature(string name)
        {
            var env = StreamEnvironment.CreateLocal(1);
            env.FromElements("x").Map(s => s.Length).Name(name).Print();
            return Build(env).Vertices[0].Signature;
        }
        Assert.Equal(Signature("one"), Signature("two"));
        Assert.Equal("Source<→String> -> Map<String→Int32> -> Sink<Int32→Int32>", Signature("three"));
    }

    [Fact]
    public void Chaining_can_be_switched_off_for_the_whole_job()
    {
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = 1, ChainingEnabled = false });
        env.FromElements(1).Map(x => x).Print();
        Assert.Equal(3, Build(env).Vertices.Count);
    }

    [Fact]
    public void Default_max_parallelism_follows_flinks_rule()
    {
        var env = StreamEnvironment.CreateLocal(100);
        env.FromSequence(1, 10).Print();
        var job = Build(env);
        Assert.Equal(256, job.Vertices[0].MaxParallelism);
    }
}
