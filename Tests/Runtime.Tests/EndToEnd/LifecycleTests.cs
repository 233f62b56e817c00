using DataflowCompiler.Functions;
using DataflowCompiler.Sinks;
using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.EndToEnd;

/// <summary>Job client, cancellation, and the promise that every segment returns to its pool however a job ends.</summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static void AssertPoolsFull(StreamEnvironment env)
    {
        var taskManager = env.Cluster!.TaskManager;
        Assert.Equal(taskManager.NetworkPool.TotalSegments, taskManager.NetworkPool.AvailableSegments);
        Assert.Equal(taskManager.ManagedPool.TotalSegments, taskManager.ManagedPool.AvailableSegments);
    }

    private static StreamConfiguration SmallMemory(int parallelism) => new()
    {
        Parallelism = parallelism,
        NetworkMemoryBytes = 16L * 1024 * 1024,
        ManagedMemoryBytes = 4L * 1024 * 1024,
    };

    [Theory, InlineData(1), InlineData(4)]
    public void Every_segment_is_back_after_a_job_succeeds(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(SmallMemory(parallelism));
        var sink = env.FromSequence(1, 50_000).KeyBy(v => v % 1000).Reduce((a, b) => a + b).Rebalance().Map(v => v).CollectToList();
        env.Execute();
        Assert.Equal(50_000, sink.Results.Count);
        AssertPoolsFull(env);
    }

    [Theory, InlineData(1), InlineData(4)]
    public void Every_segment_is_back_after_a_job_fails(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(SmallMemory(parallelism));
        env.FromSequence(1, 200_000)
            .Map(v => v == 150_000 ? throw new InvalidOperationException("boom") : v)
            .KeyBy(v => v % 1000).Reduce((a, b) => a + b)
            .Rebalance().Map(v => v)
            .CollectToList();
        Assert.Throws<JobExecutionException>(() => env.Execute());
        AssertPoolsFull(env);
    }

    [Theory, InlineData(1), InlineData(4)]
    public async Task Cancelling_a_running_job_stops_every_thread_and_returns_every_segment(int parallelism)
    {
        var env = StreamEnvironment.CreateLocal(SmallMemory(parallelism));
        var seen = new SignalSink<long>(threshold: 10_000);
        env.FromSource(GeneratorSource<long>.Unbounded(i => i))
            .KeyBy(v => v % 100).Reduce((a, b) => a + b)
            .Rebalance()
            .SinkTo(seen);
        var client = env.ExecuteAsync("endless");
        var first = await Task.WhenAny(seen.Reached, client.Completion, Task.Delay(Generous));
        Assert.True(first == seen.Reached, first == client.Completion ? $"the job ended early: {client.Completion.Exception}" : "the job never produced output");
        Assert.Equal(JobStatus.Running, client.Status);
        await client.CancelAsync().WaitAsync(Generous);
        Assert.Equal(JobStatus.Canceled, client.Status);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Completion);
        AssertPoolsFull(env);
    }

    [Fact]
    public async Task A_job_client_reports_running_then_finished_with_the_result()
    {
        var env = StreamEnvironment.CreateLocal(2);
        var gate = new ManualResetEventSlim(false);
        var sink = env.FromSequence(1, 1000).Map(v => { gate.Wait(Generous); return v; }).CollectToList();
        var client = env.ExecuteAsync("gated");
        Assert.Equal(JobStatus.Running, client.Status);
        Assert.False(client.Completion.IsCompleted);
        gate.Set();
        var result = await client.Completion.WaitAsync(Generous);
        Assert.Equal(JobStatus.Finished, client.Status);
        Assert.Equal(client.JobId, result.JobId);
        Assert.Equal("gated", result.JobName);
        Assert.Equal(1000, sink.Results.Count);
    }

    [Fact]
    public void A_second_job_on_the_same_environment_runs_only_its_own_operators()
    {
        var env = StreamEnvironment.CreateLocal(2);
        var first = env.FromSequence(1, 10).CollectToList();
        env.Execute();
        var second = env.FromSequence(1, 5).CollectToList();
        env.Execute();
        Assert.Equal(10, first.Results.Count);
        Assert.Equal(5, second.Results.Count);
        AssertPoolsFull(env);
    }

    [Fact]
    public void Rich_functions_open_before_the_first_record_and_close_after_the_last_with_their_subtask()
    {
        var env = StreamEnvironment.CreateLocal(3);
        var function = new LifecycleRecorder();
        var sink = env.FromSequence(1, 300).Map(function).CollectToList();
        env.Execute();
        Assert.Equal(300, sink.Results.Count);
        Assert.Equal(new[] { 0, 1, 2 }, function.Opened.Order());
        Assert.Equal(new[] { 0, 1, 2 }, function.Closed.Order());
        Assert.All(sink.Results, r => Assert.True(r.Opened));
    }

    private sealed class LifecycleRecorder : RichFunction, IMapFunction<long, (long, bool Opened)>
    {
        public readonly System.Collections.Concurrent.ConcurrentBag<int> Opened = new();
        public readonly System.Collections.Concurrent.ConcurrentBag<int> Closed = new();
        [ThreadStatic] private static bool s_open;

        public override void Open(RuntimeContext context)
        {
            Assert.Equal(3, context.Parallelism);
            Assert.Contains("(", context.TaskName);
            Opened.Add(context.SubtaskIndex);
            s_open = true;
        }

        public override void Close() => Closed.Add(RuntimeContext.SubtaskIndex);

        public (long, bool Opened) Map(long value) => (value, s_open);
    }

    [Fact]
    public void Buffer_timeout_zero_flushes_every_record_and_gives_the_same_result()
    {
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = 2, BufferTimeout = TimeSpan.Zero });
        var sink = env.FromSequence(1, 5000).Rebalance().Map(v => v * 2).CollectToList();
        env.Execute();
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => i * 2L), sink.Results.Order());
    }

    /// <summary>A sink that signals once it has seen a number of records (for jobs that never end).</summary>
    private sealed class SignalSink<T>(int threshold) : ISink<T>
    {
        private readonly int _threshold = threshold;
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task Reached => _reached.Task;
        public string Name => "Signal";

        public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new Writer(this);

        private sealed class Writer(SignalSink<T> sink) : ISinkWriter<T>
        {
            public void Write(T record)
            {
                if (Interlocked.Increment(ref sink._count) == sink._threshold)
                {
                    sink._reached.TrySetResult();
                }
            }

            public void Flush(bool endOfInput) { }

            public void Dispose() { }
        }
    }
}
