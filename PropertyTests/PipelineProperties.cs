using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.PropertyTests;

/// <summary>
/// Random pipelines — maps, filters, flat-maps, repartitioning, parallelism changes, and a keyed
/// rolling sum — over random inputs at parallelism 1–4 give what LINQ gives over the same input.
/// </summary>
public sealed class PipelineProperties
{
    /// <summary>One stateless step of a pipeline; its LINQ meaning is <see cref="Apply"/>.</summary>
    public sealed record Step(int Kind, int A, int B, int Parallelism, int Partitioning)
    {
        public IEnumerable<long> Apply(long x) => Kind switch
        {
            0 => [x + A],
            1 => [x * (B % 5 + 1)],
            2 => (x % (B % 4 + 2)) != 0 ? [x] : [],
            _ => Enumerable.Repeat(x + A, B % 3),
        };

        public DataStream<long> Append(DataStream<long> stream)
        {
            stream = Partitioning switch
            {
                1 => stream.Rebalance(),
                2 => stream.Shuffle(),
                3 => stream.Rescale(),
                _ => stream,
            };
            int a = A, b = B;
            var next = Kind switch
            {
                0 => stream.Map(x => x + a),
                1 => stream.Map(x => x * (b % 5 + 1)),
                2 => stream.Filter(x => (x % (b % 4 + 2)) != 0),
                _ => stream.FlatMap<long>((x, output) =>
                {
                    for (int i = 0; i < b % 3; i++)
                    {
                        output.Collect(x + a);
                    }
                }),
            };
            // Forward edges need equal parallelism; keep the upstream's parallelism for them.
            return Partitioning == 0 ? next : next.SetParallelism(Parallelism);
        }

        public override string ToString() =>
            $"{(Partitioning switch { 1 => "rebalance ", 2 => "shuffle ", 3 => "rescale ", _ => "" })}" +
            $"{Kind switch { 0 => $"map(+{A})", 1 => $"map(*{B % 5 + 1})", 2 => $"filter(%{B % 4 + 2}!=0)", _ => $"flatMap(x{B % 3},+{A})" }}" +
            $"{(Partitioning == 0 ? "" : $" p={Parallelism}")}";
    }

    public sealed record Pipeline(int Parallelism, List<long> Input, List<Step> Steps, int? KeyModulus)
    {
        public override string ToString() =>
            $"p={Parallelism}, {Input.Count} records, steps: [{string.Join(" -> ", Steps)}]{(KeyModulus is { } m ? $" -> keyBy(%{m}).sum" : "")}";
    }

    private static Arbitrary<Pipeline> Pipelines()
    {
        var step = from kind in Gen.Choose(0, 3)
                   from a in Gen.Choose(-50, 50)
                   from b in Gen.Choose(0, 100)
                   from parallelism in Gen.Choose(1, 4)
                   from partitioning in Gen.Choose(0, 3)
                   select new Step(kind, a, b, parallelism, partitioning);
        var pipeline = from parallelism in Gen.Choose(1, 4)
                       from input in Gen.ListOf(Gen.Choose(-1000, 1000).Select(i => (long)i))
                       from steps in Gen.ListOf(step).Select(s => s.Take(6).ToList())
                       from keyed in Gen.Elements(true, false)
                       from modulus in Gen.Choose(1, 50)
                       select new Pipeline(parallelism, input.ToList(), steps, keyed ? modulus : null);
        return pipeline.ToArbitrary();
    }

    [Fact]
    public void Random_pipelines_match_linq()
    {
        Prop.ForAll(Pipelines(), pipeline =>
        {
            var expected = pipeline.Input.AsEnumerable();
            foreach (var step in pipeline.Steps)
            {
                expected = expected.SelectMany(step.Apply);
            }
            var expectedList = expected.ToList();

            var env = StreamEnvironment.CreateLocal(new StreamConfiguration
            {
                Parallelism = pipeline.Parallelism,
                NetworkMemoryBytes = 32L * 1024 * 1024,
                ManagedMemoryBytes = 8L * 1024 * 1024,
                BufferTimeout = TimeSpan.FromMilliseconds(5),
            });
            DataStream<long> stream = env.FromCollection(pipeline.Input);
            foreach (var step in pipeline.Steps)
            {
                stream = step.Append(stream);
            }

            if (pipeline.KeyModulus is not { } modulus)
            {
                var sink = stream.CollectToList();
                env.Execute();
                return Check(expectedList.Order().SequenceEqual(sink.Results.Order()), pipeline, "records differ");
            }

            var keyedSink = stream.Map(x => (Key: Math.Abs(x % modulus), Value: x))
                .KeyBy(t => t.Key)
                .Reduce((a, b) => (a.Key, a.Value + b.Value))
                .CollectToList();
            env.Execute();
            var expectedSums = expectedList.GroupBy(x => Math.Abs(x % modulus)).ToDictionary(g => g.Key, g => (Count: g.Count(), Sum: g.Sum()));
            // A key lives in one subtask and the sink is chained to the reduce, so the key's last record is its total.
            var actual = Enumerable.Range(0, keyedSink.Results.Count == 0 ? 0 : pipeline.Parallelism)
                .SelectMany(keyedSink.ResultsOfSubtask)
                .GroupBy(t => t.Key)
                .ToDictionary(g => g.Key, g => (Count: g.Count(), Sum: g.Last().Value));
            return Check(expectedSums.Count == actual.Count && expectedSums.All(e => actual.TryGetValue(e.Key, out var a) && a == e.Value),
                pipeline, "per-key totals differ");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    private static bool Check(bool ok, Pipeline pipeline, string what) =>
        ok ? true : throw new Xunit.Sdk.XunitException($"{what} for {pipeline}");
}
