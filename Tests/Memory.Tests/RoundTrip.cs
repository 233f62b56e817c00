using DataflowCompiler.Memory.Serialization;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Memory.Tests;

/// <summary>The round-trip properties every serializer must have.</summary>
internal static class RoundTrip
{
    /// <summary>
    /// For values from <paramref name="gen"/>, with the serializer the registry resolves for <typeparamref name="T"/>:
    /// (1) deserialize(serialize(v)) equals v and consumes every byte; (2) serializing v twice, and
    /// serializing the equal copy read back, give identical bytes; (3) sequences of values written
    /// through a <see cref="SegmentOutputView"/> over tiny segments (64..256 bytes, after a filler
    /// record that shifts the alignment) read back equal through a <see cref="SegmentInputView"/>,
    /// and at least some of those records (with their length prefix) straddled a segment boundary; a
    /// record is copied out exactly when its body straddles.
    /// </summary>
    public static void Check<T>(Gen<T> gen, SerializerRegistry? registry = null, int maxTest = 100)
    {
        var serializer = (registry ?? new SerializerRegistry()).Get<T>();
        var output = new DataOutputSerializer(16); // small, so long values exercise growth

        Properties.Check(gen.ToArbitrary(), value =>
        {
            output.Clear();
            serializer.Serialize(value, output);
            byte[] bytes = output.ToArray();

            var input = new DataInputView(bytes);
            T back = serializer.Deserialize(ref input);
            Assert.Equal(0, input.Remaining);
            Deep.AssertEqual(value, back);

            output.Clear();
            serializer.Serialize(value, output);
            Assert.Equal(bytes, output.ToArray());

            output.Clear();
            serializer.Serialize(back, output);
            Assert.Equal(bytes, output.ToArray());

            // A fixed-size serializer reads and writes exactly these bytes in a span.
            if (serializer is IFixedSizeSerializer<T> { FixedSize: > 0 } fixedSize)
            {
                Assert.Equal(fixedSize.FixedSize, bytes.Length);
                Deep.AssertEqual(value, fixedSize.Read(bytes));
                byte[] written = new byte[bytes.Length + 3];
                fixedSize.Write(value, written);
                Assert.Equal(bytes, written[..bytes.Length]);
            }
        }, maxTest);

        int straddled = 0;
        var batches =
            from values in Gen.ArrayOf(gen)
            from segmentSize in Gen.Choose(64, 256)
            from filler in Gen.Choose(0, 300)
            select (values, segmentSize, filler);
        Properties.Check(batches.ToArbitrary(), batch =>
        {
            var pool = new MemorySegmentPool(64L * 1024 * 1024, batch.segmentSize, "test");
            var view = new SegmentOutputView(pool);
            view.WriteRecord(new byte[batch.filler]);
            foreach (var value in batch.values)
            {
                view.WriteRecord(serializer, value, output);
            }
            Assert.Equal(batch.values.Length + 1, view.RecordCount);

            var reader = new SegmentInputView(view);
            Assert.True(reader.TryReadRecord(out var filler));
            Assert.Equal(batch.filler, filler.Length);
            var expectedBytes = new DataOutputSerializer(16);
            foreach (var value in batch.values)
            {
                long start = reader.Position;
                Assert.True(reader.TryRead(serializer, out T back));
                Deep.AssertEqual(value, back);

                // Where the record lies, computed independently of the reader: it straddles when its
                // first and last byte (length prefix included) are in different segments, and the
                // reader must copy it exactly when its body does.
                long end = reader.Position;
                expectedBytes.Clear();
                serializer.Serialize(value, expectedBytes);
                Assert.Equal(start + SegmentOutputView.LengthPrefixSize + expectedBytes.Length, end);
                long bodyStart = end - expectedBytes.Length;
                bool bodyStraddles = expectedBytes.Length > 0 && bodyStart / batch.segmentSize != (end - 1) / batch.segmentSize;
                Assert.Equal(bodyStraddles, reader.LastRecordWasCopied);
                straddled += start / batch.segmentSize != (end - 1) / batch.segmentSize ? 1 : 0;
            }
            Assert.False(reader.TryReadRecord(out _));
            Assert.Equal(view.Length, reader.Position);

            view.Dispose();
            Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        }, maxTest: Math.Max(20, maxTest / 2));
        Assert.True(straddled > 0, "No record straddled a segment boundary; the straddling property proved nothing.");
    }
}
