using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using DataflowCompiler.Sources;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// Records per second through a two-task local exchange: a generator source task, a rebalance edge
/// (serialization into pooled segments, credit-based flow control) and a counting sink task, beside a
/// TPL Dataflow pipeline of the same shape (a producer thread posting into a bounded ActionBlock).
/// One operation = one record.
/// </summary>
[MemoryDiagnoser]
public class LocalExchangeBenchmarks
{
    private const int Records = 20_000_000;
    private static readonly string[] Strings = Enumerable.Range(0, 1024).Select(i => $"item-{i:D5}").ToArray();

    [Benchmark(OperationsPerInvoke = Records)]
    public long StructRecords_DataflowCompiler() => RunJob(i => new Tick(i, i * 31));

    [Benchmark(OperationsPerInvoke = Records)]
    public long StringRecords_DataflowCompiler() => RunJob(i => Strings[i & 1023]);

    [Benchmark(OperationsPerInvoke = Records)]
    public long StructRecords_TplDataflow() => RunTplDataflow(i => new Tick(i, i * 31));

    [Benchmark(OperationsPerInvoke = Records)]
    public long StringRecords_TplDataflow() => RunTplDataflow(i => Strings[i & 1023]);

    private static long RunJob<T>(Func<long, T> generate)
    {
        var env = StreamEnvironment.CreateLocal(1);
        var sink = new CountingSink<T>();
        env.FromSource(new GeneratorSource<T>(generate, Records)).Rebalance().SinkTo(sink);
        env.Execute("exchange benchmark");
        if (sink.Count != Records)
        {
            throw new InvalidOperationException($"Expected {Records} records, counted {sink.Count}.");
        }
        return sink.Count;
    }

    private static long RunTplDataflow<T>(Func<long, T> generate)
    {
        long count = 0;
        var consumer = new ActionBlock<T>(_ => count++, new ExecutionDataflowBlockOptions { BoundedCapacity = 4096, SingleProducerConstrained = true });
        var producer = new Thread(() =>
        {
            for (long i = 0; i < Records; i++)
            {
                var item = generate(i);
                if (!consumer.Post(item))
                {
                    consumer.SendAsync(item).GetAwaiter().GetResult();
                }
            }
            consumer.Complete();
        });
        producer.Start();
        consumer.Completion.GetAwaiter().GetResult();
        producer.Join();
        if (count != Records)
        {
            throw new InvalidOperationException($"Expected {Records} records, counted {count}.");
        }
        return count;
    }
}
