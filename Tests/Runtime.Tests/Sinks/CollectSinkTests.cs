using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.Sinks;

public sealed class CollectSinkTests
{
    /// <summary>Only bounds a hang.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static SinkWriterContext Context(int subtaskIndex, int parallelism) => new(subtaskIndex, parallelism, "test-sink");

    [Fact]
    public async Task Concurrent_writers_give_results_ordered_by_subtask_then_write_order()
    {
        const int parallelism = 4, perSubtask = 5_000;
        var sink = new CollectSink<(int Subtask, int Seq)>();
        using var start = new Barrier(parallelism + 1);

        // Subtasks finish in an arbitrary order; reading concurrently must never throw or go backwards.
        // Dedicated threads, like task threads: blocking pool threads on the barrier would stall the pool.
        var writers = Enumerable.Range(0, parallelism).Select(subtask => Task.Factory.StartNew(() =>
        {
            using var writer = sink.CreateWriter(Context(subtask, parallelism));
            start.SignalAndWait(Timeout);
            for (int i = 0; i < perSubtask; i++)
            {
                writer.Write((subtask, i));
                if (i % 500 == 499)
                    writer.Flush(endOfInput: false);
            }

            writer.Flush(endOfInput: true);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        start.SignalAndWait(Timeout);
        int seen = 0;
        var all = Task.WhenAll(writers);
        while (!all.IsCompleted)
        {
            int now = sink.Results.Count;
            Assert.True(now >= seen, "published results went backwards");
            seen = now;
        }

        await all;
        Assert.Equal(
            Enumerable.Range(0, parallelism).SelectMany(s => Enumerable.Range(0, perSubtask).Select(i => (s, i))),
            sink.Results);
        for (int s = 0; s < parallelism; s++)
            Assert.Equal(Enumerable.Range(0, perSubtask).Select(i => (s, i)), sink.ResultsOfSubtask(s));
    }

    [Fact]
    public void Records_are_published_at_flush_and_at_dispose()
    {
        var sink = new CollectSink<string>();
        var writer = sink.CreateWriter(Context(0, 1));

        writer.Write("a");
        Assert.Empty(sink.Results);
        writer.Flush(endOfInput: false);
        Assert.Equal(["a"], sink.Results);

        writer.Write("b");
        writer.Dispose();
        Assert.Equal(["a", "b"], sink.Results);
        Assert.Throws<ObjectDisposedException>(() => writer.Write("c"));
    }

    [Fact]
    public void Results_are_snapshots_and_Clear_forgets_them()
    {
        var sink = new CollectSink<int>();
        using (var writer = sink.CreateWriter(Context(1, 2)))
        {
            writer.Write(1);
            writer.Flush(endOfInput: true);
        }

        var snapshot = sink.Results;
        Assert.Equal([1], sink.ResultsOfSubtask(1));
        Assert.Empty(sink.ResultsOfSubtask(0));

        sink.Clear();
        Assert.Empty(sink.Results);
        Assert.Empty(sink.ResultsOfSubtask(1));
        Assert.Equal([1], snapshot);
    }
}
