using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>Keeps every record with the timestamp it carries when it arrives here (window results: the window's max timestamp).</summary>
internal sealed class WithTimestamp<T> : ProcessFunction<T, (T Value, long Timestamp)>
{
    public override void ProcessElement(T value, Context context, ICollector<(T Value, long Timestamp)> output) =>
        output.Collect((value, context.Timestamp ?? long.MinValue));
}

/// <summary>Sums a window of arrivals (process window function over all elements) into a <see cref="Firing"/>.</summary>
internal sealed class ArrivalFiring<W> : ProcessWindowFunction<Arrival, Firing, int, W>
    where W : IWindow
{
    public override void Process(int key, Context context, IEnumerable<Arrival> elements, ICollector<Firing> output)
    {
        long sum = 0;
        long count = 0;
        foreach (var element in elements)
        {
            sum += element.Value;
            count++;
        }
        output.Collect(new Firing(key, context.Window.MaxTimestamp, sum, count));
    }
}

/// <summary>Sum and count of arrivals, incrementally.</summary>
internal sealed class ArrivalAggregate : IAggregateFunction<Arrival, (long Sum, long Count), (long Sum, long Count)>
{
    public (long Sum, long Count) CreateAccumulator() => (0, 0);

    public (long Sum, long Count) Add(Arrival value, (long Sum, long Count) accumulator) => (accumulator.Sum + value.Value, accumulator.Count + 1);

    public (long Sum, long Count) GetResult((long Sum, long Count) accumulator) => accumulator;

    public (long Sum, long Count) Merge((long Sum, long Count) a, (long Sum, long Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
}

/// <summary>A rich process window function that counts its Open/Close calls and refuses to run unopened.</summary>
internal sealed class OpenCheckingFiring<W> : ProcessWindowFunction<(long Sum, long Count), Firing, int, W>
    where W : IWindow
{
    public static int Opened;
    public static int Closed;
    private bool _open;

    public override void Open(RuntimeContext context)
    {
        _open = true;
        Interlocked.Increment(ref Opened);
    }

    public override void Close() => Interlocked.Increment(ref Closed);

    public override void Process(int key, Context context, IEnumerable<(long Sum, long Count)> elements, ICollector<Firing> output)
    {
        Assert.True(_open, "the window function was not opened");
        var single = Assert.Single(elements);
        output.Collect(new Firing(key, context.Window.MaxTimestamp, single.Sum, single.Count));
    }
}

/// <summary>A WindowAll function: the window's sum and count over every key (key reported as -1).</summary>
internal sealed class AllFiring<W> : ProcessAllWindowFunction<Arrival, Firing, W>
    where W : IWindow
{
    public override void Process(Context context, IEnumerable<Arrival> elements, ICollector<Firing> output)
    {
        var list = elements.ToList();
        output.Collect(new Firing(-1, context.Window.MaxTimestamp, list.Sum(a => a.Value), list.Count));
    }
}

/// <summary>
/// The default processing-time trigger, plus a count of the elements it has seen, so a test knows the window
/// operator has assigned an element (with the clock as it is) before moving the clock on.
/// </summary>
internal sealed class ObservedProcessingTimeTrigger<W>(ElementCounter counter) : Trigger<Arrival, W>
    where W : IWindow
{
    private readonly Trigger<Arrival, W> _inner = ProcessingTimeTrigger<Arrival, W>.Create();

    public override TriggerResult OnElement(Arrival element, long timestamp, W window, TriggerContext context)
    {
        var result = _inner.OnElement(element, timestamp, window, context);
        counter.Add();
        return result;
    }

    public override TriggerResult OnEventTime(long time, W window, TriggerContext context) => _inner.OnEventTime(time, window, context);

    public override TriggerResult OnProcessingTime(long time, W window, TriggerContext context) => _inner.OnProcessingTime(time, window, context);

    public override void Clear(W window, TriggerContext context) => _inner.Clear(window, context);
}

/// <summary>A thread-safe count a test can wait on (monitor pulses; the time-out only bounds a hang).</summary>
internal sealed class ElementCounter
{
    private int _count;

    public void Add()
    {
        lock (this)
        {
            _count++;
            Monitor.PulseAll(this);
        }
    }

    public void WaitFor(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        lock (this)
        {
            while (_count < count)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"the window operator saw {_count} of {count} elements");
                }
                Monitor.Wait(this, left);
            }
        }
    }
}
