using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using DataflowCompiler.Fusion;

namespace DataflowCompiler.Benchmarks;

/// <summary>
/// Chain fusion (docs/fusion.md): the same two jobs fused, interpreted, as a hand-written loop, with Rx.NET and
/// with TPL Dataflow. One operation = one event; every invocation runs a whole job at parallelism 1 (start-up and
/// shutdown included) over <see cref="StatelessChainJob.Events"/> or <see cref="KeyedSumJob.Events"/> events.
/// </summary>
[MemoryDiagnoser]
public class FusionBenchmarks
{
    private const int Stateless = (int)StatelessChainJob.Events;
    private const int Keyed = (int)KeyedSumJob.Events;

    // ------------------------------------------------------------------ source → map → filter → map → sink

    [Benchmark(OperationsPerInvoke = Stateless)]
    public long Stateless_Fused() => RunStateless(FusionMode.Enabled);

    [Benchmark(OperationsPerInvoke = Stateless)]
    public long Stateless_Interpreted() => RunStateless(FusionMode.Disabled);

    [Benchmark(OperationsPerInvoke = Stateless)]
    public long Stateless_HandWritten()
    {
        long count = 0;
        long checksum = 0;
        for (long i = 0; i < Stateless; i++)
        {
            var t = new Tick(i, i * 31);
            if ((t.Value & 7) != 0)
            {
                t = t with { Value = t.Value + t.Id };
                checksum += t.Value;
                count++;
            }
        }
        return Expect(StatelessCount, count) + checksum;
    }

    [Benchmark(OperationsPerInvoke = Stateless)]
    public long Stateless_Rx()
    {
        long count = 0;
        using var subject = new Subject<long>();
        using var subscription = subject
            .Select(static i => new Tick(i, i * 31))
            .Where(static t => (t.Value & 7) != 0)
            .Select(static t => t with { Value = t.Value + t.Id })
            .Subscribe(_ => count++);
        for (long i = 0; i < Stateless; i++)
        {
            subject.OnNext(i);
        }
        subject.OnCompleted();
        return Expect(StatelessCount, count);
    }

    [Benchmark(OperationsPerInvoke = Stateless)]
    public long Stateless_TplDataflow()
    {
        long count = 0;
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = 4096, SingleProducerConstrained = true };
        // The filter lives in a TransformMany block: a predicate link needs a NullTarget for rejected events, and a
        // NullTarget also swallows accepted events whenever the bounded next block postpones them.
        var map1 = new TransformBlock<long, Tick>(static i => new Tick(i, i * 31), options);
        var filterMap = new TransformManyBlock<Tick, Tick>(static t => (t.Value & 7) != 0 ? [t with { Value = t.Value + t.Id }] : Array.Empty<Tick>(), options);
        var sink = new ActionBlock<Tick>(_ => count++, options);
        map1.LinkTo(filterMap, link);
        filterMap.LinkTo(sink, link);
        Produce(map1, Stateless);
        sink.Completion.GetAwaiter().GetResult();
        return Expect(StatelessCount, count);
    }

    // ------------------------------------------------------------------ source → map → KeyBy → Sum (100 000 keys) → sink

    [Benchmark(OperationsPerInvoke = Keyed)]
    public long KeyedSum_Fused() => RunKeyed(FusionMode.Enabled);

    [Benchmark(OperationsPerInvoke = Keyed)]
    public long KeyedSum_Interpreted() => RunKeyed(FusionMode.Disabled);

    [Benchmark(OperationsPerInvoke = Keyed)]
    public long KeyedSum_HandWritten()
    {
        var sums = new Dictionary<long, long>();
        long checksum = 0;
        for (long i = 0; i < Keyed; i++)
        {
            var t = (Key: i % KeyedSumJob.Keys, Value: i & 15);
            ref long sum = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, t.Key, out _);
            sum += t.Value;
            checksum += sum;
        }
        return Expect(KeyedSumJob.Keys, sums.Count) + checksum;
    }

    [Benchmark(OperationsPerInvoke = Keyed)]
    public long KeyedSum_Rx()
    {
        long count = 0;
        using var subject = new Subject<long>();
        using var subscription = subject
            .Select(static i => (Key: i % KeyedSumJob.Keys, Value: i & 15))
            .GroupBy(static t => t.Key)
            .SelectMany(static group => group.Scan(static (acc, t) => (acc.Key, acc.Value + t.Value)))
            .Subscribe(_ => count++);
        for (long i = 0; i < Keyed; i++)
        {
            subject.OnNext(i);
        }
        subject.OnCompleted();
        return Expect(Keyed, count);
    }

    [Benchmark(OperationsPerInvoke = Keyed)]
    public long KeyedSum_TplDataflow()
    {
        long count = 0;
        var sums = new Dictionary<long, long>();
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = 4096, SingleProducerConstrained = true };
        var map = new TransformBlock<long, (long Key, long Value)>(static i => (Key: i % KeyedSumJob.Keys, Value: i & 15), options);
        var sum = new TransformBlock<(long Key, long Value), (long Key, long Value)>(t =>
        {
            ref long total = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, t.Key, out _);
            total += t.Value;
            return (t.Key, total);
        }, options);
        var sink = new ActionBlock<(long Key, long Value)>(_ => count++, options);
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        map.LinkTo(sum, link);
        sum.LinkTo(sink, link);
        Produce(map, Keyed);
        sink.Completion.GetAwaiter().GetResult();
        return Expect(Keyed, count);
    }

    // ------------------------------------------------------------------ plumbing

    private static readonly long StatelessCount = Enumerable.Range(0, Stateless).LongCount(static i => ((i * 31L) & 7) != 0);

    private static long RunStateless(FusionMode fusion)
    {
        long before = StatelessChainJob.Sink.Count;
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = 1, Fusion = fusion, FusionLog = static _ => { } });
        StatelessChainJob.Define(env);
        env.Execute("fusion benchmark: stateless chain");
        return Expect(StatelessCount, StatelessChainJob.Sink.Count - before);
    }

    private static long RunKeyed(FusionMode fusion)
    {
        long before = KeyedSumJob.Sink.Count;
        var env = StreamEnvironment.CreateLocal(new StreamConfiguration { Parallelism = 1, Fusion = fusion, FusionLog = static _ => { } });
        KeyedSumJob.Define(env);
        env.Execute("fusion benchmark: KeyBy -> Sum");
        return Expect(Keyed, KeyedSumJob.Sink.Count - before);
    }

    private static void Produce(ITargetBlock<long> target, long events)
    {
        for (long i = 0; i < events; i++)
        {
            if (!target.Post(i))
            {
                target.SendAsync(i).GetAwaiter().GetResult();
            }
        }
        target.Complete();
    }

    private static long Expect(long expected, long actual) => expected == actual
        ? actual
        : throw new InvalidOperationException($"Expected {expected} events, counted {actual}.");
}
