using DataflowCompiler.Sinks;

namespace DataflowCompiler.Benchmarks;

/// <summary>A sink that only counts, so a benchmark measures the path to it and not the sink.</summary>
public sealed class CountingSink<T> : ISink<T>
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public string Name => "Counting";

    public ISinkWriter<T> CreateWriter(SinkWriterContext context) => new Writer(this);

    private sealed class Writer(CountingSink<T> sink) : ISinkWriter<T>
    {
        private long _count;

        public void Write(T record) => _count++;

        public void Flush(bool endOfInput) { }

        public void Dispose() => Interlocked.Add(ref sink._count, _count);
    }
}
