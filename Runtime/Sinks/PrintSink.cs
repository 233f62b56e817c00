namespace DataflowCompiler.Sinks;

/// <summary>
/// A sink that prints each record's <see cref="object.ToString"/> on its own line (Flink's
/// <c>print()</c>).
/// </summary>
/// <remarks>
/// Lines are prefixed as in Flink: with parallelism &gt; 1, <c>"{prefix}:{subtask+1}&gt; "</c>, or
/// <c>"{subtask+1}&gt; "</c> without a prefix; with parallelism 1, <c>"{prefix}&gt; "</c>, or
/// nothing without a prefix. A null record prints as <c>null</c>. Writers of all subtasks lock the
/// <see cref="TextWriter"/> around each line so lines never interleave. The sink does not own
/// the writer and never disposes it.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class PrintSink<T> : ISink<T>
{
    private readonly TextWriter? _writer;

    /// <param name="writer">Where lines go; <see cref="Console.Out"/> (as it is when the job starts) when null.</param>
    /// <param name="prefix">An identifier put before every line, to tell several print sinks apart.</param>
    public PrintSink(TextWriter? writer = null, string? prefix = null)
    {
        _writer = writer;
        Prefix = prefix;
    }

    /// <summary>The identifier put before every line, if any.</summary>
    public string? Prefix { get; }

    /// <inheritdoc/>
    public string Name => "Print";

    /// <inheritdoc/>
    public ISinkWriter<T> CreateWriter(SinkWriterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Writer(_writer ?? Console.Out, LinePrefix(Prefix, context.SubtaskIndex, context.Parallelism));
    }

    /// <summary>Flink's PrintSinkOutputWriter rule for the start of each line.</summary>
    internal static string LinePrefix(string? prefix, int subtaskIndex, int parallelism) =>
        (prefix, parallelism > 1) switch
        {
            (null, true) => $"{subtaskIndex + 1}> ",
            (null, false) => "",
            (_, true) => $"{prefix}:{subtaskIndex + 1}> ",
            (_, false) => $"{prefix}> ",
        };

    private sealed class Writer : ISinkWriter<T>
    {
        private readonly TextWriter _writer;
        private readonly string _linePrefix;

        public Writer(TextWriter writer, string linePrefix)
        {
            _writer = writer;
            _linePrefix = linePrefix;
        }

        public void Write(T record)
        {
            string text = record?.ToString() ?? "null";
            lock (_writer)
            {
                _writer.Write(_linePrefix);
                _writer.WriteLine(text);
            }
        }

        public void Flush(bool endOfInput)
        {
            lock (_writer)
                _writer.Flush();
        }

        public void Dispose()
        {
            // Not ours to close (it may be Console.Out); just make what we wrote visible.
            Flush(endOfInput: false);
        }
    }
}
