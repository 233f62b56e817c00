using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of snapshot blocks and metadata files. Uses the
/// SSE4.2 / ARMv8 CRC instructions when present and a table otherwise; both give the same value.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;

    private static readonly uint[] Table = CreateTable();

    /// <summary>Whether <see cref="Compute"/> uses CRC instructions rather than the table.</summary>
    public static bool IsHardwareAccelerated => Sse42.IsSupported || Crc32.IsSupported;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Extends <paramref name="crc"/> (a value returned by <see cref="Compute"/> or <see cref="Append"/>, or 0 to
    /// start) with <paramref name="data"/>: <c>Append(Compute(a), b) == Compute(a + b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        IsHardwareAccelerated ? AppendHardware(crc, data) : AppendSoftware(crc, data);

    internal static uint AppendSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        uint[] table = Table;
        foreach (byte b in data)
            state = table[(byte)(state ^ b)] ^ (state >> 8);
        return ~state;
    }

    // The instructions consume a word least significant byte first, which is memory order on the little-endian
    // x86 and Arm targets, so whole words are read straight from the span.
    internal static uint AppendHardware(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = state;
            foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(data))
                wide = Sse42.X64.Crc32(wide, word);
            state = (uint)wide;
            foreach (byte b in data[(data.Length & ~7)..])
                state = Sse42.Crc32(state, b);
        }
        else if (Sse42.IsSupported)
        {
            foreach (uint word in MemoryMarshal.Cast<byte, uint>(data))
                state = Sse42.Crc32(state, word);
            foreach (byte b in data[(data.Length & ~3)..])
                state = Sse42.Crc32(state, b);
        }
        else if (Crc32.Arm64.IsSupported)
        {
            foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(data))
                state = Crc32.Arm64.ComputeCrc32C(state, word);
            foreach (byte b in data[(data.Length & ~7)..])
                state = Crc32.ComputeCrc32C(state, b);
        }
        else if (Crc32.IsSupported)
        {
            foreach (uint word in MemoryMarshal.Cast<byte, uint>(data))
                state = Crc32.ComputeCrc32C(state, word);
            foreach (byte b in data[(data.Length & ~3)..])
                state = Crc32.ComputeCrc32C(state, b);
        }
        else
        {
            throw new PlatformNotSupportedException("This CPU has no CRC-32C instructions; use the table-driven path.");
        }

        return ~state;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint entry = i;
            for (int bit = 0; bit < 8; bit++)
                entry = (entry & 1) != 0 ? (entry >> 1) ^ Polynomial : entry >> 1;
            table[i] = entry;
        }

        return table;
    }
}
