using System.Buffers.Binary;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// The layout of a snapshot file, shared by <see cref="SnapshotFileWriter"/> and <see cref="SnapshotFileReader"/>.
/// All integers are little-endian.
/// <code>
/// header     "DFCS" version:u8
/// block*     uncompressedLength:i32 storedLength:u32 crc:u32 stored[storedLength &amp; 0x7FFFFFFF]
///            (storedLength has the high bit set when the bytes are stored raw because LZ4 did not shrink them;
///             crc is CRC-32C of the stored bytes followed by the first 8 header bytes, so a damaged length or raw
///             flag is caught as well)
/// end block  -1:i32 totalUncompressedLength:i64 blockCount:i32 crc:u32 (CRC-32C of the 16 bytes before it)
/// </code>
/// Blocks hold at most <see cref="BlockSize"/> uncompressed bytes; every block but the last holds exactly that much.
/// </summary>
internal static class SnapshotFileFormat
{
    public const byte Version = 1;
    public const int HeaderSize = 5;
    public const int BlockSize = 64 * 1024;
    public const int BlockHeaderSize = 12;
    public const int EndBlockSize = 20;
    public const int EndMarker = -1;
    public const uint RawFlag = 0x8000_0000;

    /// <summary>"DFCS": DataflowCompiler checkpoint snapshot.</summary>
    public static ReadOnlySpan<byte> Magic => "DFCS"u8;

    /// <summary>
    /// The largest stored size of one block: LZ4's <c>LZ4_COMPRESSBOUND(BlockSize)</c>, spelled out so that touching
    /// the format does not load liblz4 (a missing library then fails with its own message, not a type initializer's).
    /// </summary>
    public const int MaxStoredBlockSize = BlockSize + (BlockSize / 255) + 16;

    public static void WriteHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        destination[4] = Version;
    }

    public static uint BlockChecksum(ReadOnlySpan<byte> blockHeader, ReadOnlySpan<byte> stored) =>
        Crc32C.Append(Crc32C.Compute(stored), blockHeader[..8]);

    public static void WriteEndBlock(Span<byte> destination, long totalUncompressedLength, int blockCount)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, EndMarker);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], totalUncompressedLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], blockCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Crc32C.Compute(destination[..16]));
    }
}
