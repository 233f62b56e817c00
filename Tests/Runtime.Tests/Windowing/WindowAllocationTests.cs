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
}
