using System.Text;
using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.Sources;

public sealed class TextFileSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string content, Encoding? encoding = null)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    [Theory]
    [InlineData("a\nb\nc\n")]
    [InlineData("a\r\nb\r\nc\r\n")]
    [InlineData("a\r\nb\nc")]
    public void Strips_lf_and_crlf_terminators(string content)
    {
        Assert.Equal(["a", "b", "c"], SourceDriver.ReadAll(new TextFileSource(Write("f.txt", content))));
    }

    [Fact]
    public void Keeps_blank_lines_and_lone_carriage_returns()
    {
        var lines = SourceDriver.ReadAll(new TextFileSource(Write("f.txt", "\nx\r\n\r\ny\rz\n\n")));
        Assert.Equal(["", "x", "", "y\rz", ""], lines);
    }

    [Fact]
    public void Empty_file_ends_at_once()
    {
        Assert.Empty(SourceDriver.ReadAll(new TextFileSource(Write("empty.txt", ""))));
    }

    [Fact]
    public void Missing_file_throws_naming_the_full_path_and_the_source()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, _dir.File("nope.txt"));
        var ex = Assert.Throws<FileNotFoundException>(() => new TextFileSource(relative));
        Assert.Contains(_dir.File("nope.txt"), ex.Message);
        Assert.Contains("Text-file source", ex.Message);
        Assert.Equal(_dir.File("nope.txt"), ex.FileName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Blank_path_throws(string path)
    {
        Assert.ThrowsAny<ArgumentException>(() => new TextFileSource(path));
    }

    [Fact]
    public void File_that_disappears_before_reading_fails_with_a_clear_message()
    {
        string path = Write("gone.txt", "a\n");
        var source = new TextFileSource(path);
        File.Delete(path);

        using var reader = source.CreateReader(SourceDriver.Context());
        var ex = Assert.Throws<FileNotFoundException>(() => reader.PollNext(out _));
        Assert.Contains(path, ex.Message);
        Assert.Contains("disappeared", ex.Message);
    }

    [Fact]
    public void Decodes_utf8_and_skips_its_byte_order_mark()
    {
        string path = Write("bom.txt", "äö\r\n€\n", new UTF8Encoding(true));
        Assert.Equal(["äö", "€"], SourceDriver.ReadAll(new TextFileSource(path)));
    }

    [Fact]
    public void Reads_utf16_with_crlf()
    {
        string path = Write("utf16.txt", "eins\r\nzwei\n\u0a0a", Encoding.Unicode);
        // U+0A0A is the byte pair 0A 0A: only code-unit aligned newlines may end a line.
        Assert.Equal(["eins", "zwei", "\u0a0a"], SourceDriver.ReadAll(new TextFileSource(path, Encoding.Unicode)));
    }

    [Fact]
    public void Reads_lines_longer_than_the_buffer()
    {
        string longLine = new('x', 300_000);
        string path = Write("long.txt", $"a\n{longLine}\r\nb");
        Assert.Equal(["a", longLine, "b"], SourceDriver.ReadAll(new TextFileSource(path)));
    }

    [Fact]
    public void Position_is_the_byte_offset_of_the_next_line_and_restores()
    {
        string path = Write("pos.txt", "ä\r\nbb\nccc\n", new UTF8Encoding(true));
        var source = new TextFileSource(path);
        using var signal = new SemaphoreSlim(0);

        long saved;
        using (var reader = (TextFileSource.Reader)source.CreateReader(SourceDriver.Context()))
        {
            Assert.Equal(["ä"], SourceDriver.Take(reader, 1));
            Assert.Equal(3 + 2 + 2, reader.Position); // BOM, 'ä' in two bytes, CRLF
            Assert.Equal(["bb"], SourceDriver.Take(reader, 1));
            saved = reader.Position;
            Assert.Equal(10, saved);
            Assert.Equal(2, reader.LinesRead);
        }

        using var restored = source.CreateReader(SourceDriver.Context());
        ((IPositionedReader)restored).Seek(saved);
        Assert.Equal(["ccc"], SourceDriver.Drain(restored, signal));

        // Seeking an open reader back to the start skips the byte-order mark again.
        ((IPositionedReader)restored).Seek(0);
        Assert.Equal(["ä", "bb", "ccc"], SourceDriver.Drain(restored, signal));
    }

    [Fact]
    public void Is_bounded_and_non_parallel()
    {
        var source = new TextFileSource(Write("f.txt", "a"));
        Assert.Equal(Boundedness.Bounded, source.Boundedness);
        Assert.Equal(1, source.MaxParallelism);
        Assert.Throws<ArgumentException>(() => source.CreateReader(SourceDriver.Context(0, 2)));
    }
}
