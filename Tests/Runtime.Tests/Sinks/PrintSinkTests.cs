using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.Sinks;

public sealed class PrintSinkTests
{
    private static string Print<T>(PrintSink<T> sink, StringWriter output, int subtaskIndex, int parallelism, params T[] records)
    {
        using (var writer = sink.CreateWriter(new SinkWriterContext(subtaskIndex, parallelism, "test-sink")))
        {
            foreach (var record in records)
                writer.Write(record);
            writer.Flush(endOfInput: true);
        }

        return output.ToString();
    }

    [Theory]
    [InlineData(null, 0, 1, "a\nb\n")]
    [InlineData(null, 2, 3, "3> a\n3> b\n")]
    [InlineData("dbg", 0, 1, "dbg> a\ndbg> b\n")]
    [InlineData("dbg", 0, 2, "dbg:1> a\ndbg:1> b\n")]
    public void Prefixes_lines_like_Flink(string? prefix, int subtaskIndex, int parallelism, string expected)
    {
        var output = new StringWriter { NewLine = "\n" };
        Assert.Equal(expected, Print(new PrintSink<string>(output, prefix), output, subtaskIndex, parallelism, "a", "b"));
    }

    [Fact]
    public void Prints_ToString_and_null()
    {
        var output = new StringWriter { NewLine = "\n" };
        Assert.Equal("42\nnull\n", Print(new PrintSink<int?>(output), output, 0, 1, 42, null));
    }

    [Fact]
    public async Task Lines_of_concurrent_writers_never_interleave()
    {
        const int parallelism = 4, perSubtask = 2_000;
        var output = new StringWriter { NewLine = "\n" };
        var sink = new PrintSink<string>(output);

        await Task.WhenAll(Enumerable.Range(0, parallelism).Select(subtask => Task.Run(() =>
        {
            using var writer = sink.CreateWriter(new SinkWriterContext(subtask, parallelism, "test-sink"));
            for (int i = 0; i < perSubtask; i++)
                writer.Write($"record-{subtask}-{i}");
        })));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(parallelism * perSubtask, lines.Length);
        for (int subtask = 0; subtask < parallelism; subtask++)
        {
            var mine = lines.Where(l => l.StartsWith($"{subtask + 1}> ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, perSubtask).Select(i => $"{subtask + 1}> record-{subtask}-{i}"), mine);
        }
    }

    // Console.SetOut is process-wide: a parallel test printing meanwhile would only add lines,
    // which Contains tolerates, and the original writer is restored before the assertion.
    [Fact]
    public void Defaults_to_the_console_as_it_is_when_the_writer_is_created()
    {
        var original = Console.Out;
        var output = new StringWriter { NewLine = "\n" };
        var sink = new PrintSink<string>();
        try
        {
            Console.SetOut(output);
            Print(sink, output, 0, 1, "to-console");
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Contains("to-console", output.ToString());
    }
}
