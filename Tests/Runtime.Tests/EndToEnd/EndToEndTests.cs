using DataflowCompiler.Functions;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.EndToEnd;

/// <summary>Whole jobs on the local cluster at parallelism 1, 2 and 4, checked against LINQ over the same input.</summary>
public sealed class EndToEndTests
{
    public static TheoryData<int> Parallelisms => new() { 1, 2, 4 };

    [Theory, MemberData(nameof(Parallelisms))]
    public void Word_count_with_rolling_sum_matches_linq(int parallelism)
    {
        var lines = TestData.Lines(seed: 42 + parallelism, count: 2000);
        var env = StreamEnvironment.CreateLocal(parallelism);
        var sink = env.FromCollection(lines)
            .FlatMap<(string Word, long Count)>((line, output) =>
            {
                foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    output.Collect((word, 1L));
                }
            })
            .KeyBy(t => t.Word)
            .Sum(t => t.Count)
            .CollectToList();
        env.Execute("word count");

        var words = lines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var expected = words.GroupBy(w => w).ToDictionary(g => g.Key, g => Enumerable.Range(1, g.Count()).Select(i => (long)i).ToList());
        // Per word the rolling sums arrive in order 1, 2, ..., n: one keyed subtask sees the word's records in source order.
        var actual = sink.Results.GroupBy(t => t.Word).ToDictionary(g => g.Key, g => g.Select(t => t.Count).ToList());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (word, counts) in expected)
        {
            Assert.Equal(counts, actual[word]);
        }
    }

    [Theory, MemberData(nameof(Parallelisms))]
    public void Map_filter_over_a_parallel_sequence_matches_linq(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(parallelism);
        var sink = env.FromSequence(1, 100_000)
            .Map(x => x * 3)
            .Filter(x => x % 2 == 0)
            .Rebalance()
            .Map(x => x.ToString())
            .CollectToList();
        env.Execute();
        var expected = Enumerable.Range(1, 100_000).Select(x => x * 3L).Where(x => x % 2 == 0).Select(x => x.ToString()).Order().ToList();
        Assert.Equal(expected, sink.Results.Order().ToList());
    }

    [Theory, MemberData(nameof(Parallelisms))]
    public void Rolling_reduce_min_max_minby_maxby_emit_the_running_aggregate_per_key(int parallelism)
    {
        var input = TestData.KeyedValues(seed: 7 * parallelism, count: 3000, keys: 37);
        var env = StreamEnvironment.CreateLocal(parallelism);
        var source = env.FromCollection(input);
        var keyed = source.KeyBy(t => t.Key);
        var reduce = keyed.Reduce((a, b) => (a.Key, a.Value + b.Value)).CollectToList();
        var min = keyed.Min(t => t.Value).CollectToList();
        var max = keyed.Max(t => t.Value).CollectToList();
        var minBy = env.FromCollection(input.Select((t, i) => new Reading(t.Key, t.Value, i)).ToList()).KeyBy(r => r.Key).MinBy(r => r.Value).CollectToList();
        var maxBy = env.FromCollection(input.Select((t, i) => new Reading(t.Key, t.Value, i)).ToList()).KeyBy(r => r.Key).MaxBy(r => r.Value).CollectToList();
        env.RegisterSerializer(Reading.Serializer);
        env.Execute();

        foreach (var group in input.Select((t, i) => (t, i)).GroupBy(x => x.t.Key))
        {
            var values = group.Select(x => x.t.Value).ToList();
            Assert.Equal(Scan(values, (a, b) => a + b), PerKey(reduce.Results, group.Key).Select(t => t.Value));
            Assert.Equal(Scan(values, Math.Min), PerKey(min.Results, group.Key).Select(t => t.Value));
            Assert.Equal(Scan(values, Math.Max), PerKey(max.Results, group.Key).Select(t => t.Value));
            var readings = group.Select(x => new Reading(x.t.Key, x.t.Value, x.i)).ToList();
            Assert.Equal(Scan(readings, (a, b) => b.Value < a.Value ? b : a), maxOrMin(minBy.Results, group.Key));
            Assert.Equal(Scan(readings, (a, b) => b.Value > a.Value ? b : a), maxOrMin(maxBy.Results, group.Key));
        }

        static IEnumerable<(string Key, long Value)> PerKey(IReadOnlyList<(string Key, long Value)> results, string key) => results.Where(t => t.Key == key);
        static List<Reading> maxOrMin(IReadOnlyList<Reading> results, string key) => results.Where(r => r.Key == key).ToList();
    }

    private static List<T> Scan<T>(List<T> values, Func<T, T, T> f)
    {
        var result = new List<T>();
        for (int i = 0; i < values.Count; i++)
        {
            result.Add(i == 0 ? values[0] : f(result[i - 1], values[i]));
        }
        return result;
    }

    [Theory, MemberData(nameof(Parallelisms))]
    public void Union_and_connect_see_every_record_of_both_inputs(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(parallelism);
        var numbers = env.FromSequence(1, 5000);
        var more = env.FromCollection(Enumerable.Range(10_000, 3000).Select(i => (long)i).ToList());
        var union = numbers.Union(more).Map(x => x + 1).CollectToList();
        var words = env.FromCollection(new[] { "a", "bb", "ccc" });
        var connected = numbers.Connect(words).Map(n => $"n{n}", w => $"w{w.Length}").CollectToList();
        env.Execute();

        Assert.Equal(Enumerable.Range(1, 5000).Concat(Enumerable.Range(10_000, 3000)).Select(i => i + 1L).Order(), union.Results.Order());
        var expected = Enumerable.Range(1, 5000).Select(n => $"n{n}").Concat(new[] { "w1", "w2", "w3" }).Order(StringComparer.Ordinal);
        Assert.Equal(expected, connected.Results.Order(StringComparer.Ordinal));
    }

    [Theory, MemberData(nameof(Parallelisms))]
    public void Process_function_splits_main_and_side_output(int parallelism)
    {
        var odd = new OutputTag<string>("odd");
        var env = StreamEnvironment.CreateLocal(parallelism);
        var processed = env.FromSequence(1, 10_000).Process(new SplitByParity(odd));
        var evens = processed.CollectToList();
        var odds = processed.GetSideOutput(odd).Map(s => s.ToUpperInvariant()).CollectToList();
        env.Execute();

        Assert.Equal(Enumerable.Range(1, 10_000).Where(i => i % 2 == 0).Select(i => (long)i), evens.Results.Order());
        Assert.Equal(Enumerable.Range(1, 10_000).Where(i => i % 2 == 1).Select(i => $"ODD {i}").Order(StringComparer.Ordinal), odds.Results.Order(StringComparer.Ordinal));
    }

    private sealed class SplitByParity(OutputTag<string> odd) : ProcessFunction<long, long>
    {
        public override void ProcessElement(long value, Context context, ICollector<long> output)
        {
            if (value % 2 == 0)
            {
                output.Collect(value);
            }
            else
            {
                context.Output(odd, $"odd {value}");
            }
        }
    }

    [Theory, MemberData(nameof(Parallelisms))]
    public void Keyed_process_function_keeps_value_list_and_map_state_per_key(int parallelism)
    {
        var input = TestData.KeyedValues(seed: 99 + parallelism, count: 4000, keys: 101);
        var env = StreamEnvironment.CreateLocal(parallelism);
        var sink = env.FromCollection(input)
            .KeyBy(t => t.Key)
            .Process(new CountingFunction())
            .CollectToList();
        var result = env.Execute();

        var expected = input.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Sum: g.Sum(t => t.Value), Distinct: (long)g.Select(t => t.Value % 10).Distinct().Count()));
        var last = sink.Results.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal(expected.Count, last.Count);
        foreach (var (key, e) in expected)
        {
            Assert.Equal(e, (last[key].Count, last[key].Sum, last[key].Distinct));
            // Every count 1..n appears once per key, in order.
            Assert.Equal(Enumerable.Range(1, (int)e.Count).Select(i => (long)i), sink.Results.Where(r => r.Key == key).Select(r => r.Count));
        }
        Assert.Equal(input.Count, result.GetAccumulatorResult("records"));
    }

    private sealed class CountingFunction : KeyedProcessFunction<string, (string Key, long Value), (string Key, long Count, long Sum, long Distinct)>
    {
        private IValueState<long> _count = null!;
        private IListState<long> _values = null!;
        private IMapState<long, bool> _seen = null!;
        private Counter _records = null!;

        public override void Open(RuntimeContext context)
        {
            _count = context.GetState(new ValueStateDescriptor<long>("count"));
            _values = context.GetListState(new ListStateDescriptor<long>("values"));
            _seen = context.GetMapState(new MapStateDescriptor<long, bool>("seen"));
            _records = context.GetCounter("records");
        }

        public override void ProcessElement((string Key, long Value) value, Context context, ICollector<(string Key, long Count, long Sum, long Distinct)> output)
        {
            Assert.Equal(value.Key, context.CurrentKey);
            long count = _count.Value() + 1;
            _count.Update(count);
            _values.Add(value.Value);
            _seen.Put(value.Value % 10, true);
            _records.Increment();
            output.Collect((value.Key, count, _values.Get().Sum(), _seen.Keys().LongCount()));
        }
    }

    [Theory, MemberData(nameof(Parallelisms))]
    public void Connected_keyed_streams_share_state_per_key(int parallelism)
    {
        var prices = Enumerable.Range(0, 50).Select(i => ($"item{i}", (long)(i * 10))).ToList();
        var orders = Enumerable.Range(0, 2000).Select(i => $"item{i % 50}").ToList();
        var env = StreamEnvironment.CreateLocal(parallelism);
        // Prices first, then orders (same source order), so every order finds its price.
        var priceStream = env.FromCollection(prices);
        var orderStream = env.FromCollection(orders);
        var sink = priceStream.Connect(orderStream)
            .KeyBy(p => p.Item1, o => o)
            .Process(new PriceJoin())
            .CollectToList();
        env.Execute();

        var byItem = prices.ToDictionary(p => p.Item1, p => p.Item2);
        var joined = sink.Results.Where(r => r.Price >= 0).ToList();
        var pending = sink.Results.Where(r => r.Price < 0).ToList();
        Assert.Equal(orders.Count, joined.Count + pending.Count);
        Assert.All(joined, r => Assert.Equal(byItem[r.Item], r.Price));
    }

    private sealed class PriceJoin : CoProcessFunction<(string, long), string, (string Item, long Price)>
    {
        private IValueState<long> _price = null!;

        public override void Open(RuntimeContext context) =>
            _price = context.GetState(new ValueStateDescriptor<long>("price", defaultValue: -1));

        public override void ProcessElement1((string, long) value, Context context, ICollector<(string Item, long Price)> output) =>
            _price.Update(value.Item2);

        public override void ProcessElement2(string value, Context context, ICollector<(string Item, long Price)> output) =>
            output.Collect((value, _price.Value()));
    }

    private sealed record Reading(string Key, long Value, int Index)
    {
        public static readonly Memory.Serialization.IRecordSerializer<Reading> Serializer = Memory.Serialization.RecordSerializer.Create<Reading>(
            (r, output) =>
            {
                output.WriteString(r.Key);
                output.WriteInt64(r.Value);
                output.WriteInt32(r.Index);
            },
            (ref Memory.Serialization.DataInputView input) => new Reading(input.ReadString()!, input.ReadInt64(), input.ReadInt32()));
    }
}
