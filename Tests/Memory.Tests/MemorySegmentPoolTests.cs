namespace DataflowCompiler.Memory.Tests;

public sealed class MemorySegmentPoolTests
{
    // Bounds a hang only; nothing waits for it in a passing run.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public void Budget_bounds_the_number_of_segments()
    {
        var pool = new MemorySegmentPool(budgetBytes: 10 * 64 + 63, segmentSize: 64);
        Assert.Equal(10, pool.TotalSegments);
        var rented = new List<MemorySegment>();
        while (pool.TryRent(out var segment))
        {
            rented.Add(segment);
            Assert.Equal(64, segment.Size);
        }
        Assert.Equal(10, rented.Count);
        Assert.Equal(0, pool.AvailableSegments);
        Assert.Equal(10, pool.RentedSegments);
        Assert.Equal(10, rented.Distinct().Count());
        rented.ForEach(pool.Return);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Segments_are_reused_not_reallocated()
    {
        var pool = new MemorySegmentPool(64, 64);
        var first = pool.Rent();
        pool.Return(first);
        Assert.Same(first, pool.Rent());
    }

    [Fact]
    public void Default_segment_size_is_32_KiB()
    {
        Assert.Equal(32 * 1024, MemorySegment.DefaultSize);
        Assert.Equal(MemorySegment.DefaultSize, new MemorySegmentPool(1 << 20).SegmentSize);
    }

    [Fact]
    public void Budget_smaller_than_one_segment_is_rejected_with_the_pool_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MemorySegmentPool(100, 128, "network"));
        Assert.Contains("'network'", e.Message);
    }

    [Fact]
    public async Task Request_beyond_budget_waits_until_a_segment_is_returned()
    {
        var pool = new MemorySegmentPool(2 * 64, 64);
        var a = pool.Rent();
        var b = pool.Rent();
        var waiting = pool.RentAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.False(pool.TryRent(out _));
        Assert.Equal(2, pool.RentedSegments);

        pool.Return(b);
        var handedOver = await waiting.WaitAsync(Hang);
        Assert.Same(b, handedOver);
        Assert.Equal(2, pool.RentedSegments);
        pool.Return(a);
        pool.Return(handedOver);
        Assert.Equal(2, pool.AvailableSegments);
    }

    [Fact]
    public async Task Waiters_are_served_first_come_first_served()
    {
        var pool = new MemorySegmentPool(64, 64);
        var held = pool.Rent();
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            var segment = await pool.RentAsync();
            lock (order) { order.Add(i); }
            return segment;
        }).ToList();
        // A TryRent arriving after the waiters must not jump the queue.
        Assert.False(pool.TryRent(out _));

        var segment = held;
        for (int i = 0; i < waiters.Count; i++)
        {
            pool.Return(segment);
            segment = await waiters[i].WaitAsync(Hang);
        }
        pool.Return(segment);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Equal(1, pool.AvailableSegments);
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_queue_and_the_next_one_is_served()
    {
        var pool = new MemorySegmentPool(64, 64);
        var held = pool.Rent();
        using var cts = new CancellationTokenSource();
        var cancelled = pool.RentAsync(cts.Token).AsTask();
        var next = pool.RentAsync().AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Hang));

        pool.Return(held);
        Assert.Same(held, await next.WaitAsync(Hang));
        pool.Return(held);
        Assert.Equal(1, pool.AvailableSegments);
    }

    [Fact]
    public void Blocking_rent_can_be_cancelled()
    {
        var pool = new MemorySegmentPool(64, 64);
        pool.Rent();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => pool.Rent(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => pool.RentAsync(cts.Token).AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public void Returning_twice_throws()
    {
        var pool = new MemorySegmentPool(2 * 64, 64, "managed");
        var segment = pool.Rent();
        pool.Return(segment);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Return(segment));
        Assert.Contains("twice", e.Message);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
    }

    [Fact]
    public void Returning_a_foreign_segment_throws()
    {
        var pool = new MemorySegmentPool(64, 64, "a");
        var other = new MemorySegmentPool(64, 64, "b");
        var foreign = other.Rent();
        Assert.Throws<InvalidOperationException>(() => pool.Return(foreign));
        Assert.Throws<InvalidOperationException>(() => pool.Return(MemorySegment.AllocateUnpooled(64)));
        Assert.Equal(1, pool.AvailableSegments);
        Assert.Equal(0, other.AvailableSegments);
    }

    [Fact]
    public async Task Concurrent_rent_and_return_never_exceed_the_budget_and_end_balanced()
    {
        const int budget = 4;
        var pool = new MemorySegmentPool(budget * 64, 64);
        int inUse = 0, maxInUse = 0;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                var segment = ((i + w) % 3) switch
                {
                    0 => pool.Rent(),
                    1 => await pool.RentAsync(),
                    _ => pool.TryRent(out var s) ? s : await pool.RentAsync(),
                };
                int now = Interlocked.Increment(ref inUse);
                InterlockedMax(ref maxInUse, now);
                segment.Span[0] = (byte)w; // touch it
                Interlocked.Decrement(ref inUse);
                pool.Return(segment);
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(Hang);
        Assert.InRange(maxInUse, 1, budget);
        Assert.Equal(pool.TotalSegments, pool.AvailableSegments);
        Assert.Equal(0, pool.RentedSegments);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
