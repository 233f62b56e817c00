using System.Text;

namespace DataflowCompiler.Sinks;

/// <summary>
/// A sink that writes one line per record to text files (Flink's <c>writeAsText</c>), UTF-8
/// without byte-order mark, lines ending in <c>\n</c>.
/// </summary>
/// <remarks>
/// At parallelism 1 the sink writes the file <see cref="Path"/>; at parallelism &gt; 1
/// <see cref="Path"/> is a directory and subtask i writes <c>part-{i}</c> inside it. Missing
/// parent directories are created. Existing files of the same name are overwritten (other files
/// in the directory are left alone). Records become durable at each
/// <see cref="ISinkWriter{T}.Flush"/>, which flushes to disk. This sink is not transactional: after
/// a failure the files hold what was written before it.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class TextFileSink<T> : ISink<T>
{
    private readonly Func<T, string>? _format;

    /// <param name="path">The output file (parallelism 1) or directory (parallelism &gt; 1); resolved to a full path.</param>
    /// <param name="format">Turns a record into its line; <see cref="object.ToString"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or blank.</exception>
    public TextFileSink(string path, Func<T, string>? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _format = format;
    }

    /// <summary>The full output path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Name => "TextFile";

    /// <summary>The file subtask <paramref name="subtaskIndex"/> writes at the given parallelism.</summary>
    public string FileOfSubtask(int subtaskIndex, int parallelism) =>
        parallelism == 1 ? Path : System.IO.Path.Combine(Path, $"part-{subtaskIndex}");

    /// <inheritdoc/>
    /// <exception cref="IOException">The output path is a directory at parallelism 1, or a file at parallelism &gt; 1.</exception>
    public ISinkWriter<T> CreateWriter(SinkWriterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Parallelism == 1)
        {
            if (Directory.Exists(Path))
                throw new IOException($"Text-file sink: '{Path}' is a directory, but at parallelism 1 the sink writes a single file there; remove the directory or choose a file path.");
        }
        else if (File.Exists(Path))
        {
            throw new IOException($"Text-file sink: '{Path}' is a file, but at parallelism {context.Parallelism} the sink writes a directory of part files there; remove the file or choose another path.");
        }

        string file = FileOfSubtask(context.SubtaskIndex, context.Parallelism);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.Read);
        return new Writer(stream, _format, file);
    }

    private sealed class Writer : ISinkWriter<T>
    {
        private readonly FileStream _stream;
        private readonly StreamWriter _text;
        private readonly Func<T, string>? _format;
        private readonly string _file;
        private long _written;

        public Writer(FileStream stream, Func<T, string>? format, string file)
        {
            _stream = stream;
            _text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
            _format = format;
            _file = file;
        }

        public void Write(T record)
        {
            string line;
            if (_format is null)
            {
                line = record?.ToString() ?? "null";
            }
            else
            {
                try
                {
                    line = _format(record);
                }
                catch (Exception ex)
                {
                    // User code failed: say which record so it can be found.
                    throw new InvalidOperationException($"Text-file sink '{_file}': the format function threw for record #{_written}.", ex);
                }
            }

            _text.WriteLine(line);
            _written++;
        }

        public void Flush(bool endOfInput)
        {
            _text.Flush();
            _stream.Flush(flushToDisk: true);
        }

        public void Dispose()
        {
            // Disposing the StreamWriter flushes its buffer and closes the file.
            _text.Dispose();
        }
    }
}
