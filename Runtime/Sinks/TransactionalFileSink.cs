using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DataflowCompiler.Sinks;

/// <summary>
/// An exactly-once file sink: one line per record (UTF-8 without byte-order mark, lines ending in <c>\n</c>) into part
/// files of a directory, visible only once the checkpoint that covers them completed.
/// </summary>
/// <remarks>
/// <para>Each transaction is a file <c>.part-{subtask}-{sequence}.inprogress</c> in <see cref="Directory"/>.
/// Pre-commit flushes it to disk (fsync); commit renames it atomically to <c>part-{subtask}-{sequence}</c> (an empty
/// transaction is deleted instead). A commit that finds the part file and no in-progress file was done before, so
/// repeating it is harmless. On start, in-progress files that no restored checkpoint recorded (left by a failed
/// attempt) are deleted, for the subtask's own index and for the old indexes j with j mod parallelism equal to it.
/// Sequences keep growing across restarts, so a run never overwrites the part files of an earlier run in the same
/// directory.</para>
/// <para>Readers must ignore files whose names start with a dot; <see cref="ReadCommitted"/> reads the committed output.</para>
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed partial class TransactionalFileSink<T> : TwoPhaseCommitSink<T, FileSinkTransaction>
{
    private readonly Func<T, string>? _format;

    /// <param name="directory">The output directory; created when missing; resolved to a full path.</param>
    /// <param name="format">Turns a record into its line; <see cref="object.ToString"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or blank.</exception>
    public TransactionalFileSink(string directory, Func<T, string>? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _format = format;
    }

    /// <summary>The full path of the output directory.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public override string Name => "TransactionalFile";

    /// <summary>
    /// The committed lines of <paramref name="directory"/>: the part files in order of subtask, then sequence. In-progress
    /// files are ignored.
    /// </summary>
    public static IReadOnlyList<string> ReadCommitted(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var parts = new List<(int Subtask, long Sequence, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var match = CommittedPattern().Match(Path.GetFileName(path));
            if (match.Success)
            {
                parts.Add((int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture), path));
            }
        }
        var lines = new List<string>();
        foreach (var part in parts.OrderBy(static p => p.Subtask).ThenBy(static p => p.Sequence))
        {
            lines.AddRange(File.ReadAllLines(part.Path));
        }
        return lines;
    }

    /// <inheritdoc/>
    /// <exception cref="IOException"><see cref="Directory"/> is a file.</exception>
    protected override TwoPhaseCommitSinkWriter<T, FileSinkTransaction> CreateTransactionalWriter(SinkWriterContext context)
    {
        if (File.Exists(Directory))
        {
            throw new IOException($"Transactional file sink: '{Directory}' is a file, but the sink writes a directory of part files there; remove the file or choose another path.");
        }
        System.IO.Directory.CreateDirectory(Directory);
        return new Writer(context, Directory, _format);
    }

    [GeneratedRegex(@"^part-(\d+)-(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex CommittedPattern();

    [GeneratedRegex(@"^\.part-(\d+)-(\d+)\.inprogress$", RegexOptions.CultureInvariant)]
    private static partial Regex InProgressPattern();

    private sealed class Writer(SinkWriterContext context, string directory, Func<T, string>? format)
        : TwoPhaseCommitSinkWriter<T, FileSinkTransaction>(context, FileSinkTransaction.Serializer)
    {
        private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

        private long _nextSequence = -1;
        private FileSinkTransaction? _open;
        private FileStream? _stream;
        private StreamWriter? _text;
        private long _written;

        protected override FileSinkTransaction BeginTransaction()
        {
            if (_nextSequence < 0)
            {
                _nextSequence = NextSequenceOnDisk([]);
            }
            var transaction = new FileSinkTransaction(Context.SubtaskIndex, _nextSequence++);
            // Create, not CreateNew: a stale leftover of the same name holds nothing any checkpoint recorded.
            _stream = new FileStream(PathOf(transaction.InProgressName), FileMode.Create, FileAccess.Write, FileShare.Read);
            _text = new StreamWriter(_stream, Utf8) { NewLine = "\n" };
            _open = transaction;
            return transaction;
        }

        protected override void Write(FileSinkTransaction transaction, T record)
        {
            if (!ReferenceEquals(transaction, _open))
            {
                throw new InvalidOperationException($"Transactional file sink '{directory}': {transaction} is not the open transaction.");
            }
            string line;
            if (format is null)
            {
                line = record?.ToString() ?? "null";
            }
            else
            {
                try
                {
                    line = format(record);
                }
                catch (Exception ex)
                {
                    // User code failed: say which record so it can be found.
                    throw new InvalidOperationException($"Transactional file sink '{directory}': the format function threw for record #{_written} of subtask {Context.SubtaskIndex}.", ex);
                }
            }
            _text!.WriteLine(line);
            _written++;
        }

        protected override void PreCommit(FileSinkTransaction transaction)
        {
            if (ReferenceEquals(transaction, _open))
            {
                _text!.Flush();
                _stream!.Flush(flushToDisk: true);
                transaction.Length = _stream.Length;
                CloseOpen();
            }
            else if (transaction.Length < 0)
            {
                throw new InvalidOperationException($"Transactional file sink '{directory}': {transaction} is not the open transaction and cannot be pre-committed.");
            }
        }

        protected override void Commit(FileSinkTransaction transaction)
        {
            string inProgress = PathOf(transaction.InProgressName);
            string committed = PathOf(transaction.CommittedName);
            if (File.Exists(inProgress))
            {
                if (transaction.Length == 0)
                {
                    File.Delete(inProgress); // nothing to show; no empty part file
                    return;
                }
                if (File.Exists(committed))
                {
                    throw new IOException(
                        $"Transactional file sink: both '{inProgress}' and '{committed}' exist; another writer used the same subtask and sequence. " +
                        "Two jobs must not write into the same directory at the same time.");
                }
                File.Move(inProgress, committed, overwrite: false); // a rename: atomic within the directory
            }
            else if (!File.Exists(committed) && transaction.Length != 0)
            {
                throw new IOException(
                    $"Transactional file sink: pre-committed '{inProgress}' ({transaction.Length} bytes) is missing and '{committed}' does not exist; " +
                    "the file was removed outside the job, and its records are lost.");
            }
            // Else committed before (the part file exists and the in-progress file is gone): nothing to do.
        }

        protected override void Abort(FileSinkTransaction transaction)
        {
            if (ReferenceEquals(transaction, _open))
            {
                CloseOpen();
            }
            File.Delete(PathOf(transaction.InProgressName)); // no error when it is already gone
        }

        protected override void CleanupLeftovers(SinkWriterContext context, IReadOnlyList<FileSinkTransaction> recordedTransactions)
        {
            // Before deleting: a leftover's sequence is never given to a new transaction.
            _nextSequence = NextSequenceOnDisk(recordedTransactions);
            var recorded = recordedTransactions.Select(static t => t.InProgressName).ToHashSet(StringComparer.Ordinal);
            foreach (var path in System.IO.Directory.EnumerateFiles(directory, ".part-*.inprogress"))
            {
                var match = InProgressPattern().Match(Path.GetFileName(path));
                if (match.Success
                    && int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) % context.Parallelism == context.SubtaskIndex
                    && !recorded.Contains(Path.GetFileName(path)))
                {
                    File.Delete(path);
                }
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                CloseOpen();
            }
        }

        /// <summary>One past the largest sequence of this subtask among the files and the recorded transactions.</summary>
        private long NextSequenceOnDisk(IReadOnlyList<FileSinkTransaction> recorded)
        {
            long max = -1;
            foreach (var transaction in recorded.Where(t => t.Subtask == Context.SubtaskIndex))
            {
                max = Math.Max(max, transaction.Sequence);
            }
            foreach (var path in System.IO.Directory.EnumerateFiles(directory))
            {
                string name = Path.GetFileName(path);
                var match = CommittedPattern().Match(name);
                if (!match.Success)
                {
                    match = InProgressPattern().Match(name);
                }
                if (match.Success && int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) == Context.SubtaskIndex)
                {
                    max = Math.Max(max, long.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture));
                }
            }
            return max + 1;
        }

        private string PathOf(string name) => Path.Combine(directory, name);

        private void CloseOpen()
        {
            _text?.Dispose();
            _stream?.Dispose();
            _text = null;
            _stream = null;
            _open = null;
        }
    }
}
