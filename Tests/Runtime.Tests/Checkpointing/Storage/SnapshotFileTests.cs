using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.Runtime.Tests.Sources;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Checkpointing.Storage;

public sealed class SnapshotFileTests : IDisposable
{
    private const int Block = SnapshotFileFormat.BlockSize;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static readonly Gen<int> Sizes = Gen.OneOf(
        Gen.Elements(0, 1, 2, Block - 1, Block, Block + 1, 2 * Block, 3 * Block - 1, 3 * Block + 7),
        Gen.Choose(0, 5 * Block));

    [Fact]
    public void Round_trips_any_size_in_any_chunking()
    {
        var cases =
            from size in Sizes
            from writeChunk in Gen.OneOf(Gen.Choose(1, 100), Gen.Choose(1, 3 * Block))
            from readChunk in Gen.OneOf(Gen.Choose(1, 100), Gen.Choose(1, 3 * Block))
            from seed in Gen.Choose(0, int.MaxValue)
            select (size, writeChunk, readChunk, seed);
        Prop.ForAll(Arb.From(cases), c =>
            {
                (int size, int writeChunk, int readChunk, int seed) = c;
                byte[] data = MixedData(size, seed);
                string path = _directory.File(Guid.NewGuid().ToString("N"));
                long length = Write(path, data, writeChunk);
                Assert.Equal(new FileInfo(path).Length, length);

                using var reader = new SnapshotFileReader(path, length);
                var read = new MemoryStream();
                var buffer = new byte[readChunk];
                int n;
                while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
                    read.Write(buffer, 0, n);
                Assert.Equal(data, read.ToArray());
                Assert.Equal(size, reader.Position);
                Assert.Equal(0, reader.Read(buffer, 0, buffer.Length));
                File.Delete(path);
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    [Fact]
    public void Compressible_blocks_are_stored_compressed_and_random_ones_raw()
    {
        string compressible = _directory.File("compressible");
        string random = _directory.File("random");
        var zeros = new byte[4 * Block];
        var noise = new byte[4 * Block];
        new Random(7).NextBytes(noise);

        long compressedSize = Write(compressible, zeros, Block);
        long rawSize = Write(random, noise, Block);

        Assert.InRange(compressedSize, 1, zeros.Length / 50);
        // Raw blocks cost only their headers and the end block, not LZ4's expansion.
        Assert.Equal(SnapshotFileFormat.HeaderSize + 4 * (SnapshotFileFormat.BlockHeaderSize + Block) + SnapshotFileFormat.EndBlockSize, rawSize);
        Assert.Equal(noise, ReadAll(random, rawSize));
    }

    [Fact]
    public void Reading_byte_by_byte_matches_reading_in_bulk()
    {
        byte[] data = MixedData(2 * Block + 100, 3);
        string path = _directory.File("bytes");
        long length = Write(path, data, 1000);

        using var reader = new SnapshotFileReader(path, length);
        var read = new List<byte>();
        int b;
        while ((b = reader.ReadByte()) >= 0)
            read.Add((byte)b);

        Assert.Equal(data, read);
    }

    [Fact]
    public void Writer_length_after_dispose_is_the_file_size()
    {
        string path = _directory.File("length");
        var writer = new SnapshotFileWriter(path);
        writer.Write(MixedData(Block + 5, 1));
        writer.Dispose();

        Assert.Equal(new FileInfo(path).Length, writer.Length);
        Assert.Equal(Block + 5, writer.Position);
    }

    [Fact]
    public void Flush_finishes_the_file_and_later_writes_throw()
    {
        string path = _directory.File("flushed");
        using var writer = new SnapshotFileWriter(path);
        writer.Write([1, 2, 3]);
        writer.Flush();
        long size = new FileInfo(path).Length;

        var e = Assert.Throws<InvalidOperationException>(() => writer.WriteByte(4));
        Assert.Contains(path, e.Message);
        Assert.Equal(size, writer.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, ReadAll(path, size));
    }

    [Fact]
    public void Writing_and_reading_do_not_allocate_per_block()
    {
        byte[] data = MixedData(16 * Block, 11);
        var chunk = new byte[4096];
        // The first pass warms up: one-time costs (loading liblz4, the pool's first rent) are not per block.
        Measure(_directory.File("warm-up"));
        (long writeAllocated, long readAllocated) = Measure(_directory.File("measured"));

        // 16 blocks each way, compressed and raw; a buffer per block would be over a megabyte.
        Assert.True(writeAllocated <= 256 && readAllocated <= 256, $"allocated {writeAllocated} bytes writing and {readAllocated} reading");

        (long Write, long Read) Measure(string path)
        {
            long write;
            long size;
            using (var writer = new SnapshotFileWriter(path))
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                writer.Write(data);
                write = GC.GetAllocatedBytesForCurrentThread() - before;
                writer.Finish();
                size = writer.Length;
            }

            using var reader = new SnapshotFileReader(path, size);
            long start = GC.GetAllocatedBytesForCurrentThread();
            while (reader.Read(chunk) > 0)
            {
            }

            return (write, GC.GetAllocatedBytesForCurrentThread() - start);
        }
    }

    [Fact]
    public void Any_damaged_byte_is_detected_and_named_with_the_path()
    {
        // Block 0 compresses, block 1 is stored raw, block 2 is a short compressible tail.
        byte[] data = [.. new byte[Block], .. MixedData(Block, 5, compressible: false), .. Enumerable.Repeat((byte)'x', 300)];
        string original = _directory.File("original");
        long size = Write(original, data, Block);
        byte[] bytes = File.ReadAllBytes(original);
        string damaged = _directory.File("damaged");

        // Every structural byte (header, block headers, end block, the compressed blocks) plus random raw-block bytes.
        var positions = new SortedSet<int>();
        int offset = SnapshotFileFormat.HeaderSize;
        for (int i = 0; i < offset; i++)
            positions.Add(i);
        while (offset < bytes.Length - SnapshotFileFormat.EndBlockSize)
        {
            uint storedWord = BitConverter.ToUInt32(bytes, offset + 4);
            int stored = (int)(storedWord & ~SnapshotFileFormat.RawFlag);
            bool raw = (storedWord & SnapshotFileFormat.RawFlag) != 0;
            for (int i = 0; i < SnapshotFileFormat.BlockHeaderSize + (raw ? 0 : stored); i++)
                positions.Add(offset + i);
            offset += SnapshotFileFormat.BlockHeaderSize + stored;
        }

        for (int i = offset; i < bytes.Length; i++)
            positions.Add(i);
        var random = new Random(42);
        for (int i = 0; i < 200; i++)
            positions.Add(random.Next(bytes.Length));

        foreach (int position in positions)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[position] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(damaged, copy);

            var e = Assert.Throws<CheckpointCorruptedException>(() => ReadAll(damaged, size));
            Assert.Equal(damaged, e.FilePath);
            Assert.Contains(damaged, e.Message);
        }
    }

    [Fact]
    public void A_damaged_block_is_named_with_its_number_and_offset()
    {
        byte[] data = MixedData(3 * Block, 9, compressible: false);
        string path = _directory.File("block1");
        long size = Write(path, data, Block);
        byte[] bytes = File.ReadAllBytes(path);
        int block1 = SnapshotFileFormat.HeaderSize + SnapshotFileFormat.BlockHeaderSize + Block;
        bytes[block1 + SnapshotFileFormat.BlockHeaderSize + 1000] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        using var reader = new SnapshotFileReader(path, size);
        var buffer = new byte[Block];
        reader.ReadExactly(buffer); // block 0 is intact and readable
        var e = Assert.Throws<CheckpointCorruptedException>(() => reader.ReadExactly(buffer));

        Assert.Equal($"checksum mismatch in block 1 at offset {block1}", e.Problem);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Truncation_is_detected_against_the_handle_size()
    {
        string path = _directory.File("truncated");
        long size = Write(path, MixedData(2 * Block, 2), 999);
        using (var file = new FileStream(path, FileMode.Open))
            file.SetLength(1000);

        var e = Assert.Throws<CheckpointCorruptedException>(() => new SnapshotFileReader(path, size));

        Assert.Equal($"truncated: 1000 bytes, expected {size}", e.Problem);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_file_cut_anywhere_is_detected_even_when_the_handle_agrees()
    {
        // A writer that crashed mid-way leaves a prefix; even with a matching size it must not read as complete.
        byte[] data = MixedData(2 * Block + 10, 4);
        string path = _directory.File("whole");
        long size = Write(path, data, Block);
        byte[] bytes = File.ReadAllBytes(path);
        string cut = _directory.File("cut");

        Prop.ForAll(Arb.From(Gen.Choose(0, (int)size - 1)), length =>
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.Throws<CheckpointCorruptedException>(() => ReadAll(cut, length));
            Assert.Equal(cut, e.FilePath);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));
    }

    [Fact]
    public void Trailing_bytes_after_the_end_block_are_detected()
    {
        string path = _directory.File("trailing");
        long size = Write(path, MixedData(100, 1), 100);
        File.AppendAllText(path, "junk");

        Assert.Throws<CheckpointCorruptedException>(() => ReadAll(path, size + 4));
        var e = Assert.Throws<CheckpointCorruptedException>(() => ReadAll(path, size));
        Assert.Equal($"{size + 4} bytes, expected {size}", e.Problem);
    }

    [Fact]
    public void A_missing_file_is_reported_as_missing()
    {
        string path = _directory.File("nowhere");

        var e = Assert.Throws<CheckpointCorruptedException>(() => new SnapshotFileReader(path, 10));

        Assert.Equal("missing", e.Problem);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ReadToEndAndVerify_checks_the_end_block_and_unread_data()
    {
        string path = _directory.File("verify");
        long size = Write(path, MixedData(Block + 10, 8), Block);

        using (var complete = new SnapshotFileReader(path, size))
        {
            complete.ReadExactly(new byte[Block + 10]);
            complete.ReadToEndAndVerify();
        }

        using var partial = new SnapshotFileReader(path, size);
        partial.ReadExactly(new byte[Block]);
        var e = Assert.Throws<CheckpointCorruptedException>(partial.ReadToEndAndVerify);
        Assert.Contains("10 bytes", e.Problem);
    }

    private static long Write(string path, byte[] data, int chunk)
    {
        using var writer = new SnapshotFileWriter(path);
        for (int offset = 0; offset < data.Length; offset += chunk)
            writer.Write(data, offset, Math.Min(chunk, data.Length - offset));
        writer.Dispose();
        return writer.Length;
    }

    private static byte[] ReadAll(string path, long size)
    {
        using var reader = new SnapshotFileReader(path, size);
        var output = new MemoryStream();
        reader.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Runs of random bytes alternating with repetitive ones, so files mix raw and compressed blocks.</summary>
    private static byte[] MixedData(int size, int seed, bool compressible = true)
    {
        var random = new Random(seed);
        var data = new byte[size];
        random.NextBytes(data);
        if (compressible)
        {
            for (int offset = 0; offset < size; offset += 2 * Block / 3)
                data.AsSpan(offset, Math.Min(Block / 3, size - offset)).Fill((byte)random.Next(256));
        }

        return data;
    }
}
