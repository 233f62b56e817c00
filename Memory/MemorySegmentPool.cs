namespace DataflowCompiler.Memory;

/// <summary>
/// A bounded pool of <see cref="MemorySegment"/>s with a hard byte budget. Segments are created
/// lazily up to the budget and reused after that; a request beyond the budget waits until a
/// segment is returned and never allocates past the budget. Waiters are served first come, first served.
/// Thread-safe.
/// </summary>
public sealed class MemorySegmentPool
{
    private readonly object _lock = new();
    private readonly Stack<MemorySegment> _free = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _created;

    /// <summary>Creates a pool holding at most <paramref name="budgetBytes"/> bytes in segments of <paramref name="segmentSize"/> bytes.</summary>
    public MemorySegmentPool(long budgetBytes, int segmentSize = MemorySegment.DefaultSize, string name = "memory")
    {
        if (segmentSize < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentSize), segmentSize, $"Segment size of pool '{name}' must be at least 64 bytes.");
        }
        if (budgetBytes < segmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes,
                $"Budget of pool '{name}' ({budgetBytes} bytes) must hold at least one segment of {segmentSize} bytes.");
        }
        long segments = budgetBytes / segmentSize;
        TotalSegments = (int)Math.Min(segments, int.MaxValue);
        SegmentSize = segmentSize;
        BudgetBytes = budgetBytes;
        Name = name;
    }

    /// <summary>Name used in error messages (for example "network" or "managed").</summary>
    public string Name { get; }

    /// <summary>The size of every segment of this pool.</summary>
    public int SegmentSize { get; }

    /// <summary>The configured budget in bytes.</summary>
    public long BudgetBytes { get; }

    /// <summary>How many segments the budget holds.</summary>
    public int TotalSegments { get; }

    /// <summary>Segments that can be rented right now without waiting (free plus not yet created).</summary>
    public int AvailableSegments
    {
        get { lock (_lock) { return _free.Count + (TotalSegments - _created); } }
    }

    /// <summary>Segments currently rented out.</summary>
    public int RentedSegments => TotalSegments - AvailableSegments;

    /// <summary>Rents a segment if one is available without waiting.</summary>
    public bool TryRent(out MemorySegment segment)
    {
        lock (_lock)
        {
            // Waiters go first so a steady stream of TryRent calls cannot starve them.
            if (_waiters.Count == 0 && TryTakeLocked(out segment!))
            {
                return true;
            }
        }
        segment = null!;
        return false;
    }

    /// <summary>Rents a segment, waiting asynchronously while the budget is exhausted.</summary>
    public ValueTask<MemorySegment> RentAsync(CancellationToken cancellationToken = default)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && TryTakeLocked(out var segment))
            {
                return new ValueTask<MemorySegment>(segment);
            }
            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter();
            waiter.Node = _waiters.AddLast(waiter);
            if (cancellationToken.CanBeCanceled)
            {
                // Registered under the lock so that Return, which hands the waiter a segment under the
                // same lock, always sees the registration it has to dispose. A token cancelled meanwhile
                // runs CancelWaiter inline on this thread; the lock is re-entrant, so that is safe.
                waiter.Registration = cancellationToken.Register(static state =>
                {
                    var (pool, w, token) = ((MemorySegmentPool, Waiter, CancellationToken))state!;
                    pool.CancelWaiter(w, token);
                }, (this, waiter, cancellationToken));
            }
        }
        return new ValueTask<MemorySegment>(waiter.Completion.Task);
    }

    /// <summary>Rents a segment, blocking the calling thread while the budget is exhausted (task threads).</summary>
    public MemorySegment Rent(CancellationToken cancellationToken = default)
    {
        var pending = RentAsync(cancellationToken);
        if (pending.IsCompleted)
        {
            return pending.Result;
        }
        try
        {
            return pending.AsTask().GetAwaiter().GetResult();
        }
        catch (TaskCanceledException e)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
    }

    /// <summary>Returns a segment rented from this pool. Returning twice or returning a foreign segment throws.</summary>
    public void Return(MemorySegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (!ReferenceEquals(segment.Owner, this))
        {
            throw new InvalidOperationException($"The segment does not belong to pool '{Name}'.");
        }
        Waiter? handOff = null;
        lock (_lock)
        {
            if (segment.RentState != 1)
            {
                throw new InvalidOperationException($"A segment was returned twice to pool '{Name}'.");
            }
            if (_waiters.First is { } first)
            {
                handOff = first.Value;
                _waiters.RemoveFirst();
                handOff.Node = null;
            }
            else
            {
                segment.RentState = 0;
                _free.Push(segment);
            }
        }
        if (handOff is not null)
        {
            // The waiter left the queue under the lock, so cancellation can no longer complete it.
            handOff.Registration.Dispose();
            handOff.Completion.SetResult(segment);
        }
    }

    private bool TryTakeLocked(out MemorySegment segment)
    {
        if (_free.TryPop(out segment!))
        {
            segment.RentState = 1;
            return true;
        }
        if (_created < TotalSegments)
        {
            _created++;
            segment = new MemorySegment(GC.AllocateUninitializedArray<byte>(SegmentSize, pinned: true), this) { RentState = 1 };
            return true;
        }
        return false;
    }

    private void CancelWaiter(Waiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return; // already served
            }
            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }
        waiter.Completion.TrySetCanceled(token);
    }

    private sealed class Waiter
    {
        public readonly TaskCompletionSource<MemorySegment> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node;
        public CancellationTokenRegistration Registration;
    }
}
