namespace DataflowCompiler.Network.Tests;

public sealed class OutputFlusherTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_non_positive_interval_is_rejected_with_the_fix(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new OutputFlusher(TimeSpan.FromMilliseconds(milliseconds), () => { }));
        Assert.Contains("flushAlways", error.Message);
    }

    [Fact]
    public void It_requests_flushes_repeatedly_until_disposed()
    {
        using var ticks = new CountdownEvent(3);
        int calls = 0;
        var flusher = new OutputFlusher(TimeSpan.FromMilliseconds(1), () =>
        {
            Interlocked.Increment(ref calls);
            if (!ticks.IsSet)
            {
                ticks.Signal();
            }
        });
        Assert.Equal(TimeSpan.FromMilliseconds(1), flusher.Interval);
        Assert.True(ticks.Wait(TestSupport.Hang), "The flusher did not request three flushes.");

        flusher.Dispose();
        Assert.False(flusher.IsRunning);
        int afterDispose = Volatile.Read(ref calls);
        flusher.Dispose(); // idempotent
        Assert.Equal(afterDispose, Volatile.Read(ref calls));
    }

    [Fact]
    public void The_default_interval_is_the_designs_100_ms() =>
        Assert.Equal(TimeSpan.FromMilliseconds(100), OutputFlusher.DefaultInterval);
}
