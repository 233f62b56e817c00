using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using DataflowCompiler.Windowing;
using DataflowCompiler.Windowing.Operators;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>Adding an element to reduce windows allocates nothing: windows are structs, the assigned-window list
/// is reused, and state lives in the backend's segments.</summary>
public sealed class WindowAllocationTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void Processing_an_element_of_a_reduce_window_allocates_nothing_after_warm_up(bool sliding, bool slicing)
    {
        WindowAssigner<TimeWindow> assigner = sliding ? SlidingEventTimeWindows.Of(1000, 100) : TumblingEventTimeWindows.Of(1000);
        var builder = new WindowOperatorBuilder<Ev, int, TimeWindow>(assigner);
        var op = (slicing ? builder : builder.DisableSlicing()).Reduce(new SumReduce());
        using var harness = new WindowHarness<Ev, Ev, TimeWindow>(op);
        for (int i = 0; i < 2000; i++)
        {
            harness.ProcessElement(i % 7, new Ev(i % 7, i, 1), i % 500);
        }
        const int Records = 20_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Records; i++)
        {
            harness.ProcessElement(i % 7, new Ev(i % 7, i, 1), i % 500);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Records, $"{allocated} bytes for {Records} records");
    }

    /// <summary>The slice table as the window node's operator instantiates it (the reduce function behind its contents), firing as it goes.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Processing_an_element_of_a_slice_table_window_allocates_nothing_after_warm_up(bool sliding)
    {
        var contents = new ReduceContents<Ev, TimeWindow>(WindowTestFunctions.Sum, null);
        var table = new WindowSliceTable<int, Ev, Ev, ContentsSliceAggregator<Ev, Ev>>(
            "Window", 1000, sliding ? 100 : 1000, 0, new ContentsSliceAggregator<Ev, Ev>(contents), new UnmanagedSerializer<Ev>(), new KeyGroupRange(0, 127), 128);
        var emitter = new CountingEmitter();
        for (int i = 0; i < 20_000; i++)
        {
            table.Add(i % 7, new Ev(i % 7, i, 1), i / 10);
            if (i % 100 == 99)
            {
                table.Fire((i / 10) - 1, ref emitter);
            }
        }
        const int Records = 20_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 20_000; i < 20_000 + Records; i++)
        {
            table.Add(i % 7, new Ev(i % 7, i, 1), i / 10);
            if (i % 100 == 99)
            {
                table.Fire((i / 10) - 1, ref emitter);
            }
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(emitter.Fired > 0);
        Assert.True(allocated < Records, $"{allocated} bytes for {Records} records");
    }

    private struct CountingEmitter : ISliceWindowEmitter<int, Ev>
    {
        public long Fired;

        public void Emit(int key, TimeWindow window, Ev accumulator) => Fired++;
    }
}
