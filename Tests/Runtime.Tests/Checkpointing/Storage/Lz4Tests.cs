using DataflowCompiler.Checkpointing.Storage;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Checkpointing.Storage;

public sealed class Lz4Tests
{
    [Fact]
    public void Round_trips_any_bytes()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), Arb.From(Gen.Choose(0, 4)), (data, repeat) =>
        {
            // Repeating the input gives LZ4 matches to find, so both literal runs and matches are covered.
            byte[] input = Enumerable.Repeat(data, repeat + 1).SelectMany(b => b).ToArray();
            var compressed = new byte[Lz4.CompressBound(input.Length)];
            int compressedLength = Lz4.Compress(input, compressed);
            Assert.True(compressedLength > 0, $"compressing {input.Length} bytes into the bound returned {compressedLength}");

            var output = new byte[input.Length];
            Assert.True(Lz4.TryDecompress(compressed.AsSpan(0, compressedLength), output, out int written));
            Assert.Equal(input.Length, written);
            Assert.Equal(input, output);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void Compressible_data_shrinks()
    {
        byte[] input = new byte[64 * 1024];
        for (int i = 0; i < input.Length; i++)
            input[i] = (byte)(i % 17);
        var compressed = new byte[Lz4.CompressBound(input.Length)];

        int compressedLength = Lz4.Compress(input, compressed);

        Assert.InRange(compressedLength, 1, input.Length / 20);
    }

    [Fact]
    public void Compress_returns_zero_when_the_destination_is_too_small()
    {
        byte[] input = new byte[1000];
        Random.Shared.NextBytes(input);

        Assert.Equal(0, Lz4.Compress(input, new byte[100]));
    }

    [Fact]
    public void Damaged_or_oversized_input_is_reported_as_a_failure_not_garbage()
    {
        byte[] input = new byte[4096];
        for (int i = 0; i < input.Length; i++)
            input[i] = (byte)(i % 7);
        var compressed = new byte[Lz4.CompressBound(input.Length)];
        int compressedLength = Lz4.Compress(input, compressed);

        // Cut short: the last sequence is incomplete.
        Assert.False(Lz4.TryDecompress(compressed.AsSpan(0, compressedLength - 1), new byte[input.Length], out _));
        // Destination one byte too small for the block.
        Assert.False(Lz4.TryDecompress(compressed.AsSpan(0, compressedLength), new byte[input.Length - 1], out _));
    }

    [Fact]
    public void The_snapshot_format_bound_is_the_library_bound()
    {
        Assert.Equal(SnapshotFileFormat.MaxStoredBlockSize, Lz4.CompressBound(SnapshotFileFormat.BlockSize));
    }

    [Fact]
    public void Reports_the_library_version()
    {
        // liblz4 1.9 or later: the versions the machines install.
        Assert.InRange(Lz4.VersionNumber, 10900, 99999);
    }

    [Fact]
    public void A_missing_library_is_explained_with_the_install_command()
    {
        var e = Lz4.LibraryMissing(new DllNotFoundException("cannot open shared object file"));

        Assert.Contains("liblz4.so.1", e.Message);
        Assert.Contains("apt-get install liblz4-1", e.Message);
        Assert.IsType<DllNotFoundException>(e.InnerException);
    }
}
