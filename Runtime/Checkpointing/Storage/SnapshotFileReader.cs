using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// Reads a snapshot file written by <see cref="SnapshotFileWriter"/>, forward only. Opening checks that the file
/// exists, has exactly the size its <see cref="StateFileHandle"/> records and carries the right header; reading
/// verifies every block's checksum before its bytes are handed out, and the end block once the data is consumed.
/// Any mismatch throws <see cref="CheckpointCorruptedException"/> naming the file, the block and its offset.
/// </summary>
/// <remarks>
/// The reader owns two pooled buffers (one stored block, one decompressed block) for its lifetime; reading allocates
/// nothing else. Raw blocks are served straight from the stored buffer.
/// </remarks>
internal sealed class SnapshotFileReader : Stream
{
    private readonly SafeFileHandle _file;
    private readonly long _fileSize;
    private byte[]? _stored;
    private byte[]? _decoded;
    private byte[] _current;
    private int _currentPosition;
    private int _currentLength;
    private long _fileOffset;
    private long _uncompressedPosition;
    private long _blocksUncompressedLength;
    private int _blockCount;
    private bool _ended;

    /// <summary>Opens <paramref name="path"/>, which must be exactly <paramref name="expectedSize"/> bytes long.</summary>
    public SnapshotFileReader(string path, long expectedSize)
    {
        Path = path;
        try
        {
            _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointCorruptedException(path, "missing", e);
        }

        try
        {
            _fileSize = RandomAccess.GetLength(_file);
            if (_fileSize != expectedSize)
                throw Corrupted(_fileSize < expectedSize
                    ? $"truncated: {_fileSize} bytes, expected {expectedSize}"
                    : $"{_fileSize} bytes, expected {expectedSize}");
            Span<byte> header = stackalloc byte[SnapshotFileFormat.HeaderSize];
            if (!TryReadExactly(header, 0))
                throw Corrupted("truncated in the file header");
            if (!header[..4].SequenceEqual(SnapshotFileFormat.Magic))
                throw Corrupted("not a snapshot file (bad magic number)");
            if (header[4] != SnapshotFileFormat.Version)
                throw Corrupted($"unsupported snapshot format version {header[4]} (this build reads version {SnapshotFileFormat.Version})");
        }
        catch
        {
            _file.Dispose();
            throw;
        }

        _fileOffset = SnapshotFileFormat.HeaderSize;
        _stored = ArrayPool<byte>.Shared.Rent(SnapshotFileFormat.MaxStoredBlockSize);
        _decoded = ArrayPool<byte>.Shared.Rent(SnapshotFileFormat.BlockSize);
        _current = _decoded;
    }

    /// <summary>Opens the file a <paramref name="handle"/> of the metadata in <paramref name="metadataDirectory"/> names.</summary>
    public static SnapshotFileReader Open(string metadataDirectory, StateFileHandle handle) =>
        new(CheckpointStorage.ResolvePath(metadataDirectory, handle), handle.Size);

    public string Path { get; }

    public override bool CanRead => _stored is not null;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>Not supported: the uncompressed length is known only at the end block.</summary>
    public override long Length => throw new NotSupportedException("A snapshot file's uncompressed length is known only once it is read to the end.");

    /// <summary>The uncompressed bytes read so far. Setting it is not supported.</summary>
    public override long Position
    {
        get => _uncompressedPosition;
        set => throw new NotSupportedException("A snapshot file is read forward only.");
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_stored is null, this);
        int read = 0;
        while (read < buffer.Length)
        {
            if (_currentPosition == _currentLength && !LoadNextBlock())
                break;
            int chunk = Math.Min(buffer.Length - read, _currentLength - _currentPosition);
            _current.AsSpan(_currentPosition, chunk).CopyTo(buffer[read..]);
            _currentPosition += chunk;
            read += chunk;
        }

        _uncompressedPosition += read;
        return read;
    }

    public override int ReadByte()
    {
        ObjectDisposedException.ThrowIf(_stored is null, this);
        if (_currentPosition == _currentLength && !LoadNextBlock())
            return -1;
        _uncompressedPosition++;
        return _current[_currentPosition++];
    }

    /// <summary>
    /// For readers that know how much they need and stop there: checks that everything was consumed and verifies the
    /// end block, which <see cref="Read(Span{byte})"/> otherwise reaches only when asked for bytes past the end.
    /// </summary>
    public void ReadToEndAndVerify()
    {
        ObjectDisposedException.ThrowIf(_stored is null, this);
        long unread = 0;
        while (true)
        {
            unread += _currentLength - _currentPosition;
            _currentPosition = _currentLength;
            if (!LoadNextBlock())
                break;
        }

        if (unread > 0)
            throw Corrupted($"{unread} bytes after offset {_uncompressedPosition} of the uncompressed data were not expected by the reader");
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A snapshot file is read forward only.");

    public override void SetLength(long value) => throw new NotSupportedException("A snapshot file reader cannot write.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A snapshot file reader cannot write.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && _stored is not null)
        {
            _file.Dispose();
            ArrayPool<byte>.Shared.Return(_stored);
            ArrayPool<byte>.Shared.Return(_decoded!);
            _stored = null;
            _decoded = null;
            _current = [];
            _currentPosition = _currentLength = 0;
        }

        base.Dispose(disposing);
    }

    /// <summary>Loads the next data block into <see cref="_current"/>; false once the (verified) end block is reached.</summary>
    private bool LoadNextBlock()
    {
        if (_ended)
            return false;

        long blockOffset = _fileOffset;
        int block = _blockCount;
        Span<byte> header = stackalloc byte[SnapshotFileFormat.EndBlockSize];
        if (_fileSize - blockOffset < SnapshotFileFormat.BlockHeaderSize)
            throw Corrupted($"truncated: no end block after block {block - 1} (file ends at offset {_fileSize})");
        if (!TryReadExactly(header[..SnapshotFileFormat.BlockHeaderSize], blockOffset))
            throw Corrupted($"truncated in the header of block {block} at offset {blockOffset}");

        int uncompressedLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (uncompressedLength == SnapshotFileFormat.EndMarker)
        {
            ReadEndBlock(header, blockOffset);
            return false;
        }

        uint storedWord = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        bool raw = (storedWord & SnapshotFileFormat.RawFlag) != 0;
        int storedLength = (int)(storedWord & ~SnapshotFileFormat.RawFlag);
        if (uncompressedLength is <= 0 or > SnapshotFileFormat.BlockSize
            || storedLength > SnapshotFileFormat.MaxStoredBlockSize
            || (raw && storedLength != uncompressedLength)
            || storedLength > _fileSize - blockOffset - SnapshotFileFormat.BlockHeaderSize)
        {
            throw Corrupted($"damaged header of block {block} at offset {blockOffset}");
        }

        Span<byte> stored = _stored.AsSpan(0, storedLength);
        if (!TryReadExactly(stored, blockOffset + SnapshotFileFormat.BlockHeaderSize))
            throw Corrupted($"truncated in block {block} at offset {blockOffset}");
        if (SnapshotFileFormat.BlockChecksum(header, stored) != BinaryPrimitives.ReadUInt32LittleEndian(header[8..]))
            throw Corrupted($"checksum mismatch in block {block} at offset {blockOffset}");

        if (raw)
        {
            _current = _stored!;
        }
        else
        {
            if (!Lz4.TryDecompress(stored, _decoded.AsSpan(0, uncompressedLength), out int written) || written != uncompressedLength)
                throw Corrupted($"block {block} at offset {blockOffset} does not decompress to its recorded {uncompressedLength} bytes");
            _current = _decoded!;
        }

        _currentPosition = 0;
        _currentLength = uncompressedLength;
        _fileOffset = blockOffset + SnapshotFileFormat.BlockHeaderSize + storedLength;
        _blocksUncompressedLength += uncompressedLength;
        _blockCount++;
        return true;
    }

    private void ReadEndBlock(Span<byte> endBlock, long offset)
    {
        if (_fileSize - offset != SnapshotFileFormat.EndBlockSize)
            throw Corrupted($"end block at offset {offset} is followed by {_fileSize - offset - SnapshotFileFormat.EndBlockSize} bytes instead of ending the file");
        if (!TryReadExactly(endBlock[SnapshotFileFormat.BlockHeaderSize..], offset + SnapshotFileFormat.BlockHeaderSize))
            throw Corrupted($"truncated in the end block at offset {offset}");
        if (Crc32C.Compute(endBlock[..16]) != BinaryPrimitives.ReadUInt32LittleEndian(endBlock[16..]))
            throw Corrupted($"checksum mismatch in the end block at offset {offset}");
        long total = BinaryPrimitives.ReadInt64LittleEndian(endBlock[4..]);
        int blocks = BinaryPrimitives.ReadInt32LittleEndian(endBlock[12..]);
        if (total != _blocksUncompressedLength || blocks != _blockCount)
            throw Corrupted($"the end block records {total} bytes in {blocks} blocks, but the file holds {_blocksUncompressedLength} bytes in {_blockCount} blocks");
        _ended = true;
        _currentPosition = _currentLength = 0;
    }

    /// <summary>Reads all of <paramref name="destination"/>; false if the file ends first (it shrank after opening).</summary>
    private bool TryReadExactly(Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_file, destination, offset);
            if (read == 0)
                return false;
            destination = destination[read..];
            offset += read;
        }

        return true;
    }

    private CheckpointCorruptedException Corrupted(string problem) => new(Path, problem);
}
