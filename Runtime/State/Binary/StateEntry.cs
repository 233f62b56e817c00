using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// The binary layout of one state entry inside a memory segment:
/// <c>[keyLen][secondaryLen][valueLen][capacity][keyGroup][hash][version][flags] key secondary value(capacity bytes)</c>,
/// eight little-endian int32 followed by the bytes. "Secondary" is the namespace (and, for map
/// entries, the user key). An entry never spans segments, so a value is read in place without copying;
/// a value too large for that is kept in a chain of segments of its own and the entry is a stub
/// (<see cref="LargeFlag"/>) whose 4 value bytes hold the chain's id.
/// </summary>
internal static class StateEntry
{
    public const int KeyLengthOffset = 0;
    public const int SecondaryLengthOffset = 4;
    public const int ValueLengthOffset = 8;
    public const int CapacityOffset = 12;
    public const int KeyGroupOffset = 16;
    public const int HashOffset = 20;

    /// <summary>
    /// The table version the entry was last written in. Copy-on-write snapshots (<see cref="BinaryStateTable.Pin"/>) pin
    /// version v: an entry stamped ≤ v is then copied instead of overwritten or freed, and an incremental snapshot writes
    /// the entries stamped after its base.
    /// </summary>
    public const int VersionOffset = 24;

    public const int FlagsOffset = 28;

    public const int HeaderSize = 32;

    /// <summary>Flag: the value lives in a segment chain; the entry's value bytes hold the chain id.</summary>
    public const int LargeFlag = 1;

    /// <summary>Value capacity of a stub entry (the chain id).</summary>
    public const int StubCapacity = 4;

    /// <summary>Written into the value length of a freed entry so compaction skips it.</summary>
    public const int Dead = -1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Address(int segment, int offset) => ((long)segment << 32) | (uint)offset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SegmentOf(long address) => (int)(address >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OffsetOf(long address) => (int)address;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadInt(byte[] segment, int entryOffset, int field) =>
        BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan(entryOffset + field, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteInt(byte[] segment, int entryOffset, int field, int value) =>
        BinaryPrimitives.WriteInt32LittleEndian(segment.AsSpan(entryOffset + field, 4), value);

    /// <summary>Bytes the entry occupies in its segment (header, key, secondary and value capacity).</summary>
    public static int SizeOf(byte[] segment, int entryOffset) =>
        HeaderSize + ReadInt(segment, entryOffset, KeyLengthOffset) + ReadInt(segment, entryOffset, SecondaryLengthOffset)
        + ReadInt(segment, entryOffset, CapacityOffset);

    public static ReadOnlySpan<byte> Key(byte[] segment, int entryOffset) =>
        segment.AsSpan(entryOffset + HeaderSize, ReadInt(segment, entryOffset, KeyLengthOffset));

    public static ReadOnlySpan<byte> Secondary(byte[] segment, int entryOffset) =>
        segment.AsSpan(entryOffset + HeaderSize + ReadInt(segment, entryOffset, KeyLengthOffset), ReadInt(segment, entryOffset, SecondaryLengthOffset));

    public static bool IsLarge(byte[] segment, int entryOffset) => (ReadInt(segment, entryOffset, FlagsOffset) & LargeFlag) != 0;

    /// <summary>Offset of the value bytes within the segment.</summary>
    public static int ValueStart(byte[] segment, int entryOffset) =>
        entryOffset + HeaderSize + ReadInt(segment, entryOffset, KeyLengthOffset) + ReadInt(segment, entryOffset, SecondaryLengthOffset);
}
