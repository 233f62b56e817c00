using System.Runtime.InteropServices;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// The reference LZ4 block codec from the system's <c>liblz4.so.1</c>. The managed NuGet ports are not available from
/// the package source; the C library is what every other LZ4 implementation is checked against.
/// </summary>
internal static unsafe partial class Lz4
{
    public const string LibraryName = "liblz4.so.1";

    /// <summary>The largest input LZ4 accepts in one block (<c>LZ4_MAX_INPUT_SIZE</c>).</summary>
    public const int MaxInputSize = 0x7E000000;

    /// <summary>The library version as <c>major * 10000 + minor * 100 + release</c>, e.g. 10904 for 1.9.4.</summary>
    public static int VersionNumber
    {
        get
        {
            try
            {
                return LZ4_versionNumber();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw LibraryMissing(e);
            }
        }
    }

    /// <summary>The worst-case compressed size of <paramref name="inputSize"/> bytes.</summary>
    public static int CompressBound(int inputSize)
    {
        if ((uint)inputSize > MaxInputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"LZ4 compresses at most {MaxInputSize} bytes per block.");
        try
        {
            return LZ4_compressBound(inputSize);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw LibraryMissing(e);
        }
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/> and returns the compressed length, or 0
    /// when it does not fit (a destination of <see cref="CompressBound"/> bytes always fits).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if ((uint)source.Length > MaxInputSize)
            throw new ArgumentOutOfRangeException(nameof(source), source.Length, $"LZ4 compresses at most {MaxInputSize} bytes per block.");
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
                return LZ4_compress_default(src, dst, source.Length, destination.Length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw LibraryMissing(e);
        }
    }

    /// <summary>
    /// Decompresses one block. Returns false when the input is malformed or does not decompress into
    /// <paramref name="destination"/> (LZ4 reports both as a negative result): the caller treats that as corruption.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
                written = LZ4_decompress_safe(src, dst, source.Length, destination.Length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw LibraryMissing(e);
        }

        if (written < 0)
        {
            written = 0;
            return false;
        }

        return true;
    }

    internal static InvalidOperationException LibraryMissing(Exception cause) =>
        new($"Checkpoint snapshots are LZ4-compressed with the system library '{LibraryName}', which could not be loaded " +
            $"({cause.Message}). Install it, e.g. 'apt-get install liblz4-1' on Debian/Ubuntu or 'dnf install lz4-libs' on Fedora/RHEL.", cause);

    [LibraryImport(LibraryName)]
    private static partial int LZ4_versionNumber();

    [LibraryImport(LibraryName)]
    private static partial int LZ4_compressBound(int inputSize);

    [LibraryImport(LibraryName)]
    private static partial int LZ4_compress_default(byte* source, byte* destination, int sourceSize, int maxDestinationSize);

    [LibraryImport(LibraryName)]
    private static partial int LZ4_decompress_safe(byte* source, byte* destination, int compressedSize, int maxDecompressedSize);
}
