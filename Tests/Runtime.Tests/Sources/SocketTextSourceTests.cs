using System.Net;
using System.Net.Sockets;
using System.Text;
using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.Sources;

public sealed class SocketTextSourceTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _timeout = new(SourceDriver.Timeout);

    public SocketTextSourceTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _listener.Stop();
        _listener.Dispose();
        _timeout.Dispose();
    }

    /// <summary>Accepts one connection, runs <paramref name="talk"/> on it, then closes it.</summary>
    private async Task ServeOnceAsync(Func<NetworkStream, Task> talk)
    {
        using var client = await _listener.AcceptTcpClientAsync(_timeout.Token);
        await talk(client.GetStream());
    }

    /// <summary>
    /// Polls on a dedicated thread, as the task thread would: a pool thread blocked on the signal
    /// could starve the pool the reader's background task needs.
    /// </summary>
    private static Task<T> OnOwnThread<T>(Func<T> poll) =>
        Task.Factory.StartNew(poll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task SendAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    [Fact]
    public async Task Emits_lines_until_the_server_closes_then_ends()
    {
        var server = ServeOnceAsync(s => SendAsync(s, "a\nb\r\nü€\n\nlast"));
        using var signal = new SemaphoreSlim(0);
        using var reader = new SocketTextSource("127.0.0.1", Port).CreateReader(SourceDriver.Context(signal));

        var lines = await OnOwnThread(() => SourceDriver.Drain(reader, signal));

        Assert.Equal(["a", "b", "ü€", "", "last"], lines);
        await server;
    }

    [Fact]
    public async Task Splits_on_a_multi_character_delimiter_across_reads()
    {
        var firstLineSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = ServeOnceAsync(async s =>
        {
            await SendAsync(s, "one||two|");
            // Send the rest only once "one" came through, so the reader has consumed the first
            // chunk and the delimiter "||" of "two" straddles two reads.
            await firstLineSeen.Task.WaitAsync(_timeout.Token);
            await SendAsync(s, "|three\r||");
        });
        using var signal = new SemaphoreSlim(0);
        using var reader = new SocketTextSource("127.0.0.1", Port, "||").CreateReader(SourceDriver.Context(signal));

        var lines = await OnOwnThread(() =>
        {
            var first = SourceDriver.Drain(reader, signal, max: 1);
            firstLineSeen.SetResult();
            return first.Concat(SourceDriver.Drain(reader, signal)).ToList();
        });

        // The '\r' is only dropped for the "\n" delimiter, as in Flink.
        Assert.Equal(["one", "two", "three\r"], lines);
        await server;
    }

    [Fact]
    public async Task Many_more_lines_than_the_queue_holds_arrive_complete_and_in_order()
    {
        int count = SocketTextSource.QueueCapacity * 5;
        var server = ServeOnceAsync(s => SendAsync(s, string.Concat(Enumerable.Range(0, count).Select(i => $"{i}\n"))));
        using var signal = new SemaphoreSlim(0);
        using var reader = new SocketTextSource("127.0.0.1", Port).CreateReader(SourceDriver.Context(signal));

        var lines = await OnOwnThread(() => SourceDriver.Drain(reader, signal));

        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString()), lines);
        await server;
    }

    [Fact]
    public async Task Reconnects_after_a_close_while_retries_remain()
    {
        var server = Task.Run(async () =>
        {
            await ServeOnceAsync(s => SendAsync(s, "first\n"));
            await ServeOnceAsync(s => SendAsync(s, "second\n"));
        });
        var source = new SocketTextSource("127.0.0.1", Port, maxRetries: 1) { RetryDelay = TimeSpan.FromMilliseconds(1) };
        using var signal = new SemaphoreSlim(0);
        using var reader = source.CreateReader(SourceDriver.Context(signal));

        var lines = await OnOwnThread(() => SourceDriver.Drain(reader, signal));

        Assert.Equal(["first", "second"], lines);
        await server;
    }

    [Fact]
    public async Task Connection_failure_after_retries_throws_naming_host_and_port()
    {
        int port = Port;
        _listener.Stop(); // nothing listens there any more: connecting is refused
        var source = new SocketTextSource("127.0.0.1", port, maxRetries: 2) { RetryDelay = TimeSpan.FromMilliseconds(1) };
        using var signal = new SemaphoreSlim(0);
        using var reader = source.CreateReader(SourceDriver.Context(signal));

        var ex = await Assert.ThrowsAsync<IOException>(() => OnOwnThread(() => SourceDriver.Drain(reader, signal)));

        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Contains("3 attempt(s)", ex.Message);
    }

    [Fact]
    public async Task Cancellation_ends_the_input_of_an_idle_connection()
    {
        var accepted = _listener.AcceptTcpClientAsync(_timeout.Token).AsTask();
        using var cancel = new CancellationTokenSource();
        using var signal = new SemaphoreSlim(0);
        using var reader = new SocketTextSource("127.0.0.1", Port).CreateReader(SourceDriver.Context(signal, cancellation: cancel.Token));
        using var client = await accepted;

        Assert.Equal(ReadStatus.NothingAvailable, reader.PollNext(out _));
        cancel.Cancel();

        Assert.Empty(await OnOwnThread(() => SourceDriver.Drain(reader, signal)));
    }

    [Fact]
    public async Task Dispose_closes_the_connection()
    {
        var accepted = _listener.AcceptTcpClientAsync(_timeout.Token).AsTask();
        using var signal = new SemaphoreSlim(0);
        var reader = new SocketTextSource("127.0.0.1", Port).CreateReader(SourceDriver.Context(signal));
        using var client = await accepted;

        reader.Dispose();

        // The server side sees end of stream once the reader has closed its socket.
        int read = await client.GetStream().ReadAsync(new byte[1], _timeout.Token);
        Assert.Equal(0, read);
        Assert.Throws<ObjectDisposedException>(() => reader.PollNext(out _));
    }

    [Fact]
    public void Is_unbounded_non_parallel_and_validates_arguments()
    {
        var source = new SocketTextSource("localhost", 9999);
        Assert.Equal(Boundedness.ContinuousUnbounded, source.Boundedness);
        Assert.Equal(1, source.MaxParallelism);
        Assert.Throws<ArgumentException>(() => source.CreateReader(SourceDriver.Context(0, 2)));
        Assert.ThrowsAny<ArgumentException>(() => new SocketTextSource("", 9999));
        Assert.ThrowsAny<ArgumentException>(() => new SocketTextSource("localhost", 0));
        Assert.ThrowsAny<ArgumentException>(() => new SocketTextSource("localhost", 9999, ""));
        Assert.ThrowsAny<ArgumentException>(() => new SocketTextSource("localhost", 9999, maxRetries: -2));
    }
}
