using DataflowCompiler.Runtime.Tests.Sources;
using DataflowCompiler.Sinks;

namespace DataflowCompiler.Runtime.Tests.Sinks;

public sealed class TextFileSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Run<T>(TextFileSink<T> sink, int parallelism, Func<int, IEnumerable<T>> recordsOf)
    {
        for (int subtask = 0; subtask < parallelism; subtask++)
        {
            using var writer = sink.CreateWriter(new SinkWriterContext(subtask, parallelism, "test-sink"));
            foreach (var record in recordsOf(subtask))
                writer.Write(record);
            writer.Flush(endOfInput: true);
        }
    }

    [Fact]
    public void Parallelism_one_writes_a_single_file_creating_parent_directories()
    {
        string path = Path.Combine(_dir.Path, "a", "b", "out.txt");
        Run(new TextFileSink<int>(path), 1, _ => [1, 2, 3]);

        Assert.Equal("1\n2\n3\n", File.ReadAllText(path));
    }

    [Fact]
    public void Parallelism_above_one_writes_a_part_file_per_subtask()
    {
        string path = _dir.File("out");
        var sink = new TextFileSink<string>(path, s => s.ToUpperInvariant());
        Run(sink, 3, subtask => [$"s{subtask}a", $"s{subtask}b"]);

        Assert.Equal(["part-0", "part-1", "part-2"], Directory.GetFiles(path).Select(Path.GetFileName).Order());
        for (int subtask = 0; subtask < 3; subtask++)
            Assert.Equal($"S{subtask}A\nS{subtask}B\n", File.ReadAllText(Path.Combine(path, $"part-{subtask}")));
        Assert.Equal(Path.Combine(path, "part-2"), sink.FileOfSubtask(2, 3));
    }

    [Fact]
    public void Overwrites_an_existing_file()
    {
        string path = _dir.File("out.txt");
        File.WriteAllText(path, "old content that is longer\n");
        Run(new TextFileSink<string>(path), 1, _ => ["new"]);

        Assert.Equal("new\n", File.ReadAllText(path));
    }

    [Fact]
    public void Existing_directory_at_parallelism_one_throws_naming_the_path()
    {
        var sink = new TextFileSink<int>(_dir.Path);
        var ex = Assert.Throws<IOException>(() => sink.CreateWriter(new SinkWriterContext(0, 1, "test-sink")));
        Assert.Contains(_dir.Path, ex.Message);
        Assert.Contains("directory", ex.Message);
    }

    [Fact]
    public void Existing_file_at_parallelism_above_one_throws_naming_the_path()
    {
        string path = _dir.File("file");
        File.WriteAllText(path, "");
        var ex = Assert.Throws<IOException>(() => new TextFileSink<int>(path).CreateWriter(new SinkWriterContext(0, 2, "test-sink")));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Flush_makes_records_visible_in_the_file_before_dispose()
    {
        string path = _dir.File("out.txt");
        using var writer = new TextFileSink<string>(path).CreateWriter(new SinkWriterContext(0, 1, "test-sink"));
        writer.Write("x");
        writer.Flush(endOfInput: false);

        using var read = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        Assert.Equal("x\n", read.ReadToEnd());
    }

    [Fact]
    public void Format_failure_names_the_record_number()
    {
        using var writer = new TextFileSink<int>(_dir.File("out.txt"), i => i == 1 ? throw new FormatException() : i.ToString())
            .CreateWriter(new SinkWriterContext(0, 1, "test-sink"));
        writer.Write(0);

        var ex = Assert.Throws<InvalidOperationException>(() => writer.Write(1));
        Assert.Contains("#1", ex.Message);
        Assert.IsType<FormatException>(ex.InnerException);
    }

    [Fact]
    public void Blank_path_throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new TextFileSink<int>(" "));
    }
}
