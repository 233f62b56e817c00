using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace DataflowCompiler.Sources;

/// <summary>
/// An unbounded, non-parallel source that reads UTF-8 text from a TCP server and emits it split
/// on a delimiter (Flink's <c>socketTextStream</c>).
/// </summary>
/// <remarks>
/// <para>A background task connects, reads and splits; the task thread only dequeues, so polling
/// never blocks. At most <see cref="QueueCapacity"/> lines wait in memory: beyond that the
/// background task stops reading and TCP flow control pushes back on the server.</para>
/// <para>With the default delimiter <c>"\n"</c> a trailing <c>'\r'</c> is dropped, as in Flink.
/// Text after the last delimiter is emitted as a line when its connection closes.</para>
/// <para>When the server closes the connection (or the connection fails), the reader reconnects
/// after a short delay while retries remain: <see cref="MaxRetries"/> counts reconnections
/// over the reader's life, and −1 means retry forever. Once retries are exhausted, a clean close
/// ends the input (<see cref="ReadStatus.EndOfInput"/>); a failure makes
/// <see cref="ISourceReader{T}.PollNext"/> throw an <see cref="IOException"/> naming host:port.
/// Cancellation of the task or disposal of the reader also ends the input.</para>
/// <para>A socket cannot be rewound, so this source gives no replay on recovery (at-most-once),
/// like Flink's.</para>
/// </remarks>
public sealed class SocketTextSource : ISource<string>
{
    /// <summary>Lines buffered between the background reader and the task before reading pauses.</summary>
    public const int QueueCapacity = 1024;

    /// <param name="host">Host name or address of the server.</param>
    /// <param name="port">TCP port, 1..65535.</param>
    /// <param name="delimiter">Separates records in the stream; not empty.</param>
    /// <param name="maxRetries">Reconnections allowed after the first connection ends or fails; −1 retries forever.</param>
    public SocketTextSource(string host, int port, string delimiter = "\n", int maxRetries = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentException.ThrowIfNullOrEmpty(delimiter);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetries, -1);
        Host = host;
        Port = port;
        Delimiter = delimiter;
        MaxRetries = maxRetries;
    }

    /// <summary>The server's host.</summary>
    public string Host { get; }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>The record delimiter.</summary>
    public string Delimiter { get; }

    /// <summary>Reconnections allowed; −1 for unlimited.</summary>
    public int MaxRetries { get; }

    /// <summary>Pause before a reconnection (Flink waits 500 ms); tests shorten it.</summary>
    internal TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc/>
    public Boundedness Boundedness => Boundedness.ContinuousUnbounded;

    /// <inheritdoc/>
    public int MaxParallelism => 1;

    /// <inheritdoc/>
    public string Name => "SocketText";

    /// <inheritdoc/>
    public ISourceReader<string> CreateReader(SourceReaderContext context)
    {
        SourceGuards.RequireNonParallel(context, Name);
        return new Reader(this, context);
    }

    internal sealed class Reader : ISourceReader<string>
    {
        private readonly SocketTextSource _source;
        private readonly SourceReaderContext _context;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly SemaphoreSlim _space = new(QueueCapacity, QueueCapacity);
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;

        // Written by the background task before _finished is set; read by the task thread after.
        private IOException? _failure;
        private volatile bool _finished;
        private bool _disposed;

        internal Reader(SocketTextSource source, SourceReaderContext context)
        {
            _source = source;
            _context = context;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }

        /// <summary>Lines handed to the task so far (for diagnostics; a socket cannot seek).</summary>
        internal long LinesRead { get; private set; }

        /// <inheritdoc/>
        public ReadStatus PollNext(out string record)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TryTake(out record))
                return ReadStatus.Record;

            if (_finished)
            {
                // Lines enqueued just before the flag was set are visible now.
                if (TryTake(out record))
                    return ReadStatus.Record;
                if (_failure is { } failure)
                    throw new IOException(failure.Message, failure);
                return ReadStatus.EndOfInput;
            }

            return ReadStatus.NothingAvailable;
        }

        /// <summary>Stops the background reader and closes the connection.</summary>
        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _stop.Cancel();
            // RunAsync catches everything, so waiting only bounds how long shutdown takes.
            _loop.Wait(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }

        private bool TryTake(out string record)
        {
            if (_lines.TryDequeue(out record!))
            {
                _space.Release();
                LinesRead++;
                return true;
            }

            return false;
        }

        private async Task RunAsync(CancellationToken token)
        {
            string endpoint = $"{_source.Host}:{_source.Port}";
            int retriesUsed = 0;
            try
            {
                while (true)
                {
                    Exception? error = null;
                    try
                    {
                        using var client = new TcpClient();
                        await client.ConnectAsync(_source.Host, _source.Port, token).ConfigureAwait(false);
                        await ReadConnectionAsync(client.GetStream(), token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is SocketException or IOException)
                    {
                        error = ex;
                    }

                    if (_source.MaxRetries != -1 && retriesUsed >= _source.MaxRetries)
                    {
                        if (error is not null)
                        {
                            _failure = new IOException(
                                $"Socket text source: connection to {endpoint} failed after {retriesUsed + 1} attempt(s): {error.Message}", error);
                        }

                        return;
                    }

                    retriesUsed++;
                    await Task.Delay(_source.RetryDelay, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Cancelled task or disposed reader: the input simply ends.
            }
            catch (Exception ex)
            {
                _failure = new IOException($"Socket text source: reading from {endpoint} failed: {ex.Message}", ex);
            }
            finally
            {
                _finished = true;
                _context.SignalAvailable();
            }
        }

        /// <summary>Reads one connection to its end, splitting the decoded text on the delimiter.</summary>
        private async Task ReadConnectionAsync(NetworkStream stream, CancellationToken token)
        {
            string delimiter = _source.Delimiter;
            var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
            var bytes = new byte[8192];
            var chars = new char[8192];
            int length = 0;   // decoded chars not yet emitted, at chars[0..length)
            int scanned = 0;  // chars[0..scanned) are known to hold no delimiter start

            while (true)
            {
                int read = await stream.ReadAsync(bytes, token).ConfigureAwait(false);
                bool end = read == 0;

                int needed = length + decoder.GetCharCount(bytes, 0, read, flush: end);
                if (needed > chars.Length)
                    Array.Resize(ref chars, Math.Max(needed, chars.Length * 2));
                length += decoder.GetChars(bytes, 0, read, chars, length, flush: end);

                int lineStart = 0;
                while (true)
                {
                    int at = chars.AsSpan(scanned, length - scanned).IndexOf(delimiter.AsSpan());
                    if (at < 0)
                        break;
                    int delimiterAt = scanned + at;
                    await EnqueueAsync(chars, lineStart, delimiterAt - lineStart, token).ConfigureAwait(false);
                    lineStart = delimiterAt + delimiter.Length;
                    scanned = lineStart;
                }

                if (end)
                {
                    if (length > lineStart)
                        await EnqueueAsync(chars, lineStart, length - lineStart, token).ConfigureAwait(false);
                    _context.SignalAvailable();
                    return;
                }

                // Keep the unfinished line at the front; a delimiter may straddle the chunk edge.
                Array.Copy(chars, lineStart, chars, 0, length - lineStart);
                length -= lineStart;
                scanned = Math.Max(0, length - (delimiter.Length - 1));
                _context.SignalAvailable();
            }
        }

        private async ValueTask EnqueueAsync(char[] chars, int start, int count, CancellationToken token)
        {
            if (_source.Delimiter == "\n" && count > 0 && chars[start + count - 1] == '\r')
                count--;

            if (!_space.Wait(0))
            {
                // The queue is full: make sure the task knows there is work before we wait for it.
                _context.SignalAvailable();
                await _space.WaitAsync(token).ConfigureAwait(false);
            }

            _lines.Enqueue(new string(chars, start, count));
        }
    }
}
