using System.Net;
using System.Net.Sockets;
using System.Text;
using DataflowCompiler.Functions;

namespace DataflowCompiler.Runtime.Tests.EndToEnd;

/// <summary>The remaining API paths end to end: co-flat-map, field aggregations on classes, text files in and out, sockets.</summary>
public sealed class ApiCoverageTests
{
    public sealed record Click(string User, long Count, int Clicks);

    private static readonly Memory.Serialization.IRecordSerializer<Click> ClickSerializer = Memory.Serialization.RecordSerializer.Create<Click>(
        (c, output) =>
        {
            output.WriteString(c.User);
            output.WriteInt64(c.Count);
            output.WriteInt32(c.Clicks);
        },
        (ref Memory.Serialization.DataInputView input) => new Click(input.ReadString()!, input.ReadInt64(), input.ReadInt32()));

    [Theory, InlineData(1), InlineData(3)]
    public void Sum_min_and_max_on_a_record_class_keep_the_first_record_and_update_only_the_field(int parallelism)
    {
        var clicks = Enumerable.Range(0, 600).Select(i => new Click($"u{i % 7}", i % 13, i)).ToList();
        var env = StreamEnvironment.CreateLocal(parallelism).RegisterSerializer(ClickSerializer);
        var keyed = env.FromCollection(clicks).KeyBy(c => c.User);
        var sums = keyed.Sum(c => c.Count).CollectToList();
        var maxima = keyed.Max(c => c.Count).CollectToList();
        env.Execute();

        foreach (var group in clicks.GroupBy(c => c.User))
        {
            var first = group.First();
            var lastSum = sums.Results.Last(c => c.User == group.Key);
            Assert.Equal(group.Sum(c => c.Count), lastSum.Count);
            Assert.Equal(first.Clicks, lastSum.Clicks); // other fields come from the key's first record, as in Flink
            var lastMax = maxima.Results.Last(c => c.User == group.Key);
            Assert.Equal(group.Max(c => c.Count), lastMax.Count);
            Assert.Equal(first.Clicks, lastMax.Clicks);
        }
        // The input records were not modified by the aggregation.
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)(i % 13)), clicks.Select(c => c.Count));
    }

    [Fact]
    public void A_field_selector_that_is_not_a_direct_member_is_rejected()
    {
        var env = StreamEnvironment.CreateLocal(1);
        var keyed = env.FromElements(new Click("a", 1, 1)).KeyBy(c => c.User);
        var error = Assert.Throws<ArgumentException>(() => keyed.Sum(c => c.Count * 2));
        Assert.Contains("Sum", error.Message);
    }

    [Theory, InlineData(1), InlineData(2)]
    public void Co_flat_map_sees_both_inputs(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(parallelism);
        var sink = env.FromSequence(1, 100).Connect(env.FromElements("a b", "c"))
            .FlatMap(new Splitter())
            .CollectToList();
        env.Execute();
        var expected = Enumerable.Range(1, 100).SelectMany(i => new[] { $"n{i}", $"n{i}" }).Concat(new[] { "a", "b", "c" });
        Assert.Equal(expected.Order(StringComparer.Ordinal), sink.Results.Order(StringComparer.Ordinal));
    }

    private sealed class Splitter : ICoFlatMapFunction<long, string, string>
    {
        public void FlatMap1(long value, ICollector<string> output)
        {
            output.Collect($"n{value}");
            output.Collect($"n{value}");
        }

        public void FlatMap2(string value, ICollector<string> output)
        {
            foreach (var word in value.Split(' '))
            {
                output.Collect(word);
            }
        }
    }

    [Fact]
    public void Read_text_file_and_write_as_text_in_parallel_round_trip_every_line()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"dfc-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "in.txt");
            var lines = Enumerable.Range(0, 5000).Select(i => $"line {i}").ToList();
            File.WriteAllText(input, string.Join("\r\n", lines) + "\n");
            string output = Path.Combine(dir, "out");
            var env = StreamEnvironment.CreateLocal(3);
            env.ReadTextFile(input).Rebalance().Map(l => l.ToUpperInvariant()).WriteAsText(output);
            env.Execute();
            var parts = Directory.GetFiles(output, "part-*");
            Assert.Equal(3, parts.Length);
            Assert.Equal(lines.Select(l => l.ToUpperInvariant()).Order(StringComparer.Ordinal),
                parts.SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Socket_text_stream_reads_lines_until_the_server_closes_the_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"word{i % 10} word{i % 3}\n")));
            await client.GetStream().WriteAsync(bytes);
        });
        var env = StreamEnvironment.CreateLocal(2);
        var sink = env.SocketTextStream("127.0.0.1", port)
            .FlatMap<string>(line => line.Split(' '))
            .KeyBy(w => w)
            .Map(w => (Word: w, One: 1L))
            .KeyBy(t => t.Word)
            .Sum(t => t.One)
            .CollectToList();
        var result = await env.ExecuteAsync("socket word count").Completion.WaitAsync(TimeSpan.FromSeconds(60));
        await server;
        var totals = sink.Results.GroupBy(t => t.Word).ToDictionary(g => g.Key, g => g.Max(t => t.One));
        var expected = Enumerable.Range(0, 1000).SelectMany(i => new[] { $"word{i % 10}", $"word{i % 3}" }).GroupBy(w => w).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(expected.OrderBy(e => e.Key), totals.OrderBy(e => e.Key));
        Assert.Equal("socket word count", result.JobName);
    }
}
