using System.Text;

namespace DataflowCompiler.Sources;

/// <summary>
/// A bounded, non-parallel source that emits the lines of a text file (Flink's <c>readTextFile</c>).
/// </summary>
/// <remarks>
/// Lines end at <c>\n</c> or <c>\r\n</c>; the terminator is not part of the line, a lone
/// <c>\r</c> is kept, and a final line without terminator is still emitted (an empty file emits
/// nothing). A byte-order mark of the encoding's family at the start of the file is skipped, even
/// when the given encoding does not write one. The reader's
/// position is the byte offset of the next line, so recovery can seek straight back to it.
/// Lines are found by scanning bytes for the encoded <c>\n</c> at code-unit boundaries, which is
/// exact for UTF-8, UTF-16, UTF-32 and single-byte encodings.
/// </remarks>
public sealed class TextFileSource : ISource<string>
{
    /// <param name="path">The file to read; resolved to a full path at construction.</param>
    /// <param name="encoding">The file's encoding; UTF-8 when null.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or blank.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    public TextFileSource(string path, Encoding? encoding = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path))
            throw new FileNotFoundException($"Text-file source: the file '{Path}' does not exist.", Path);
        Encoding = encoding ?? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>The encoding lines are decoded with.</summary>
    public Encoding Encoding { get; }

    /// <inheritdoc/>
    public Boundedness Boundedness => Boundedness.Bounded;

    /// <inheritdoc/>
    public int MaxParallelism => 1;

    /// <inheritdoc/>
    public string Name => "TextFile";

    /// <inheritdoc/>
    public ISourceReader<string> CreateReader(SourceReaderContext context)
    {
        SourceGuards.RequireNonParallel(context, Name);
        return new Reader(Path, Encoding);
    }

    /// <summary>
    /// Reads raw bytes and cuts lines itself (rather than using StreamReader) so that the byte
    /// offset of every line start is known exactly, which is what a checkpoint needs.
    /// </summary>
    internal sealed class Reader : ISourceReader<string>, IPositionedReader
    {
        private const int InitialBufferSize = 64 * 1024;

        private readonly string _path;
        private readonly Encoding _encoding;
        private readonly byte[] _newline;
        private readonly byte[] _carriageReturn;
        private readonly byte[] _preamble;

        private FileStream? _stream;
        private byte[] _buffer = new byte[InitialBufferSize];
        private int _start;   // first unconsumed byte in _buffer
        private int _end;     // one past the last valid byte in _buffer
        private bool _eof;
        private long _lineStartOffset; // file offset of _buffer[_start]
        private bool _disposed;

        internal Reader(string path, Encoding encoding)
        {
            _path = path;
            _encoding = encoding;
            _newline = encoding.GetBytes("\n");
            _carriageReturn = encoding.GetBytes("\r");
            _preamble = ByteOrderMark(encoding);
        }

        /// <summary>The byte offset in the file where the next line starts.</summary>
        public long Position => _lineStartOffset;

        /// <summary>Lines emitted by this reader since it was created or last seeked; for messages, not for restore.</summary>
        internal long LinesRead { get; private set; }

        /// <summary>Continues at a byte offset previously read from <see cref="Position"/>.</summary>
        public void Seek(long position)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(position);
            _lineStartOffset = position;
            _start = _end = 0;
            _eof = false;
            LinesRead = 0;
            if (_stream is not null)
                MoveStreamToLineStart();
        }

        /// <inheritdoc/>
        public ReadStatus PollNext(out string record)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stream is null)
                Open();

            int searchFrom = _start;
            while (true)
            {
                int newlineAt = FindNewline(searchFrom);
                if (newlineAt >= 0)
                {
                    record = Cut(newlineAt, _newline.Length);
                    return ReadStatus.Record;
                }

                // Resume the scan where it stopped, aligned to the code unit, after more bytes arrive.
                int unit = _newline.Length;
                searchFrom = _start + (_end - _start) / unit * unit;

                if (_eof)
                {
                    if (_end == _start)
                    {
                        record = null!;
                        return ReadStatus.EndOfInput;
                    }

                    record = Cut(_end, 0); // last line without terminator
                    return ReadStatus.Record;
                }

                int shift = _start;
                Fill();
                searchFrom -= shift;
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }

        /// <summary>
        /// The byte-order mark of the encoding's family, even for an instance that does not emit
        /// one (such as the default UTF-8 without BOM): a file written by another tool may have it.
        /// </summary>
        private static byte[] ByteOrderMark(Encoding encoding) => encoding.CodePage switch
        {
            65001 => [0xEF, 0xBB, 0xBF],
            1200 => [0xFF, 0xFE],
            1201 => [0xFE, 0xFF],
            12000 => [0xFF, 0xFE, 0x00, 0x00],
            12001 => [0x00, 0x00, 0xFE, 0xFF],
            _ => encoding.GetPreamble(),
        };

        private void Open()
        {
            try
            {
                _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new FileNotFoundException($"Text-file source: the file '{_path}' disappeared before it could be read.", _path, ex);
            }

            MoveStreamToLineStart();
        }

        /// <summary>Positions the stream at <see cref="_lineStartOffset"/>; at offset 0 that means after a byte-order mark.</summary>
        private void MoveStreamToLineStart()
        {
            _stream!.Seek(_lineStartOffset, SeekOrigin.Begin);
            if (_lineStartOffset != 0 || _preamble.Length == 0)
                return;
            while (!_eof && _end - _start < _preamble.Length)
                Fill();
            if (_buffer.AsSpan(_start, _end - _start).StartsWith(_preamble))
            {
                _start += _preamble.Length;
                _lineStartOffset += _preamble.Length;
            }
        }

        /// <summary>Index of the first encoded '\n' at or after <paramref name="from"/> on a code-unit boundary of the current line, or −1.</summary>
        private int FindNewline(int from)
        {
            int unit = _newline.Length;
            if (unit == 1)
            {
                int i = _buffer.AsSpan(from, _end - from).IndexOf(_newline[0]);
                return i < 0 ? -1 : from + i;
            }

            for (int i = from; i + unit <= _end; i += unit)
            {
                if (_buffer.AsSpan(i, unit).SequenceEqual(_newline))
                    return i;
            }

            return -1;
        }

        /// <summary>Decodes [_start, contentEnd) as a line, drops a trailing '\r', and consumes the terminator too.</summary>
        private string Cut(int contentEnd, int terminatorLength)
        {
            int length = contentEnd - _start;
            if (terminatorLength > 0 && _buffer.AsSpan(_start, length).EndsWith(_carriageReturn))
                length -= _carriageReturn.Length;

            string line = _encoding.GetString(_buffer, _start, length);
            int consumed = contentEnd + terminatorLength - _start;
            _start += consumed;
            _lineStartOffset += consumed;
            LinesRead++;
            return line;
        }

        /// <summary>Reads more bytes, first moving the unconsumed tail to the front (growing the buffer for a long line).</summary>
        private void Fill()
        {
            int pending = _end - _start;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
                _start = 0;
                _end = pending;
            }

            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);

            int read = _stream!.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
                _eof = true;
            _end += read;
        }
    }
}
