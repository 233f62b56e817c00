using System.Buffers;
using System.Buffers.Binary;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// Writes one snapshot file (format in <see cref="SnapshotFileFormat"/>): bytes written are cut into 64 KiB blocks,
/// each LZ4-compressed (or stored raw when that does not shrink it) and checksummed. A snapshot file is written in one
/// go and never appended to, so <see cref="Flush"/> and <see cref="Stream.Dispose()"/> both <em>finish</em> it: the
/// last block and the end block are written and the file is fsynced; writing afterwards throws.
/// <see cref="Length"/> is then the file size to record in the <see cref="StateFileHandle"/>.
/// </summary>
/// <remarks>
/// The writer owns two pooled buffers (one uncompressed block, one stored block with its header), rented in the
/// constructor and returned on dispose; writing allocates nothing else.
/// </remarks>
internal sealed class SnapshotFileWriter : Stream
{
    private readonly FileStream _file;
    private byte[]? _block;
    private byte[]? _stored;
    private int _blockLength;
    private int _blockCount;
    private long _uncompressedLength;
    private long _fileLength;
    private bool _finished;
    private bool _faulted;

    /// <summary>Creates <paramref name="path"/>, which must not exist yet (snapshot file names are unique).</summary>
    public SnapshotFileWriter(string path)
    {
        Path = path;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        Span<byte> header = stackalloc byte[SnapshotFileFormat.HeaderSize];
        SnapshotFileFormat.WriteHeader(header);
        try
        {
            WriteToFile(header);
        }
        catch
        {
            _file.Dispose();
            throw;
        }

        _block = ArrayPool<byte>.Shared.Rent(SnapshotFileFormat.BlockSize);
        _stored = ArrayPool<byte>.Shared.Rent(SnapshotFileFormat.BlockHeaderSize + SnapshotFileFormat.MaxStoredBlockSize);
    }

    public string Path { get; }

    /// <summary>Whether the file has been finished (by <see cref="Flush"/> or dispose).</summary>
    public bool IsFinished => _finished;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished && _block is not null;

    /// <summary>The bytes in the file so far; once finished, the file's size.</summary>
    public override long Length => _fileLength;

    /// <summary>The uncompressed bytes written so far. Setting it is not supported.</summary>
    public override long Position
    {
        get => _uncompressedLength;
        set => throw new NotSupportedException("A snapshot file is written forward only.");
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        byte[] block = EnsureWritable();
        while (!buffer.IsEmpty)
        {
            int chunk = Math.Min(buffer.Length, SnapshotFileFormat.BlockSize - _blockLength);
            buffer[..chunk].CopyTo(block.AsSpan(_blockLength));
            _blockLength += chunk;
            _uncompressedLength += chunk;
            buffer = buffer[chunk..];
            if (_blockLength == SnapshotFileFormat.BlockSize)
                WriteBlock();
        }
    }

    public override void WriteByte(byte value)
    {
        byte[] block = EnsureWritable();
        block[_blockLength++] = value;
        _uncompressedLength++;
        if (_blockLength == SnapshotFileFormat.BlockSize)
            WriteBlock();
    }

    /// <summary>
    /// Finishes the file: writes the last block and the end block, fsyncs and closes it. Later calls do nothing.
    /// </summary>
    public override void Flush() => Finish();

    /// <inheritdoc cref="Flush"/>
    public void Finish()
    {
        if (_finished)
            return;
        EnsureWritable();
        if (_blockLength > 0)
            WriteBlock();
        Span<byte> end = stackalloc byte[SnapshotFileFormat.EndBlockSize];
        SnapshotFileFormat.WriteEndBlock(end, _uncompressedLength, _blockCount);
        WriteToFile(end);
        try
        {
            _file.Flush(flushToDisk: true);
            _file.Dispose(); // nothing more to write: let readers open it now
        }
        catch
        {
            _faulted = true;
            throw;
        }

        _finished = true;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A snapshot file writer cannot read.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A snapshot file is written forward only.");

    public override void SetLength(long value) => throw new NotSupportedException("A snapshot file is written forward only.");

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _block is null)
        {
            base.Dispose(disposing);
            return;
        }

        try
        {
            // A writer that failed mid-way leaves an unfinished file; the checkpoint it belonged to is discarded.
            if (!_finished && !_faulted)
                Finish();
        }
        finally
        {
            _file.Dispose();
            ArrayPool<byte>.Shared.Return(_block);
            ArrayPool<byte>.Shared.Return(_stored!);
            _block = null;
            _stored = null;
            base.Dispose(disposing);
        }
    }

    private byte[] EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_block is null, this);
        if (_finished)
            throw new InvalidOperationException($"The snapshot file '{Path}' is finished (flushed); a snapshot file is written in one go.");
        if (_faulted)
            throw new InvalidOperationException($"Writing the snapshot file '{Path}' failed earlier; the file is incomplete.");
        return _block;
    }

    private void WriteBlock()
    {
        ReadOnlySpan<byte> block = _block.AsSpan(0, _blockLength);
        Span<byte> stored = _stored.AsSpan();
        Span<byte> payload = stored[SnapshotFileFormat.BlockHeaderSize..];
        int compressed = Lz4.Compress(block, payload);
        uint storedWord;
        int storedLength;
        if (compressed > 0 && compressed < block.Length)
        {
            storedLength = compressed;
            storedWord = (uint)compressed;
        }
        else
        {
            block.CopyTo(payload);
            storedLength = block.Length;
            storedWord = (uint)block.Length | SnapshotFileFormat.RawFlag;
        }

        BinaryPrimitives.WriteInt32LittleEndian(stored, block.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(stored[4..], storedWord);
        BinaryPrimitives.WriteUInt32LittleEndian(stored[8..], SnapshotFileFormat.BlockChecksum(stored, payload[..storedLength]));
        WriteToFile(stored[..(SnapshotFileFormat.BlockHeaderSize + storedLength)]);
        _blockCount++;
        _blockLength = 0;
    }

    private void WriteToFile(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _file.Write(bytes);
        }
        catch
        {
            _faulted = true;
            throw;
        }

        _fileLength += bytes.Length;
    }
}
