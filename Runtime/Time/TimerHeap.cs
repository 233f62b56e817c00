using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataflowCompiler.Time;

/// <summary>
/// The timers of one time domain of a timer service, in timestamp order (ties in registration order, so firing is
/// deterministic), unique per timer and deletable (Flink's HeapPriorityQueueSet). Thread-confined.
/// </summary>
/// <remarks>
/// Timers are grouped by timestamp: a binary min-heap orders the distinct timestamps ("buckets"), and each bucket
/// keeps its timers in a doubly linked FIFO of pooled slots. Window operators register very many timers at few
/// timestamps (every key's window ends at the same time), so adding and polling cost O(1) plus one lookup in the
/// uniqueness index; the heap only moves when a timestamp appears or empties. A plain heap of timers that updated
/// the index on every sift step cost a third of a keyed tumbling window's time per event. Slots and buckets are
/// reused, so a steady state allocates nothing.
/// </remarks>
internal sealed class TimerHeap<TKey, TNamespace>
{
    private const int None = -1;

    // Unique timers → their slot.
    private readonly Dictionary<InternalTimer<TKey, TNamespace>, int> _index = new();

    // Slots: the timer, its neighbours in its bucket (or, for a free slot, the next free slot in _next) and its bucket.
    private InternalTimer<TKey, TNamespace>[] _timers = new InternalTimer<TKey, TNamespace>[16];
    private int[] _next = new int[16];
    private int[] _previous = new int[16];
    private int[] _slotBucket = new int[16];
    private int _slotsUsed;
    private int _freeSlot = None;

    // Buckets: one per distinct timestamp that has timers, ordered by a heap of bucket numbers.
    private readonly Dictionary<long, int> _bucketOfTime = new();
    private Bucket[] _buckets = new Bucket[4];
    private int _bucketsUsed;
    private int _freeBucket = None;
    private int[] _bucketHeap = new int[4];
    private int _heapCount;

    // The bucket the last timer went into: registrations mostly repeat a timestamp, which saves the bucket lookup.
    private int _lastBucket = None;

    public int Count => _index.Count;

    /// <summary>Adds the timer unless an equal one is there; true if added.</summary>
    public bool Add(in InternalTimer<TKey, TNamespace> timer)
    {
        ref int indexed = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, timer, out bool exists);
        if (exists)
        {
            return false;
        }
        int slot = AllocateSlot();
        indexed = slot;
        _timers[slot] = timer;
        int bucket = BucketFor(timer.Timestamp);
        ref var b = ref _buckets[bucket];
        _slotBucket[slot] = bucket;
        _next[slot] = None;
        _previous[slot] = b.Tail;
        if (b.Tail == None)
        {
            b.Head = slot;
        }
        else
        {
            _next[b.Tail] = slot;
        }
        b.Tail = slot;
        return true;
    }

    /// <summary>Removes the timer if it is there; true if removed.</summary>
    public bool Remove(in InternalTimer<TKey, TNamespace> timer)
    {
        if (!_index.Remove(timer, out int slot))
        {
            return false;
        }
        Unlink(slot);
        return true;
    }

    /// <summary>The earliest timer, if any.</summary>
    public bool TryPeek(out InternalTimer<TKey, TNamespace> timer)
    {
        if (_heapCount == 0)
        {
            timer = default;
            return false;
        }
        timer = _timers[_buckets[_bucketHeap[0]].Head];
        return true;
    }

    /// <summary>Removes and returns the earliest timer if its timestamp is at or below <paramref name="time"/>.</summary>
    public bool TryPollDue(long time, out InternalTimer<TKey, TNamespace> timer)
    {
        if (_heapCount == 0)
        {
            timer = default;
            return false;
        }
        ref var bucket = ref _buckets[_bucketHeap[0]];
        if (bucket.Time > time)
        {
            timer = default;
            return false;
        }
        int slot = bucket.Head;
        timer = _timers[slot];
        _index.Remove(timer);
        Unlink(slot);
        return true;
    }

    /// <summary>All timers, in no particular order (for snapshots).</summary>
    public IEnumerable<InternalTimer<TKey, TNamespace>> Timers
    {
        get
        {
            for (int i = 0; i < _heapCount; i++)
            {
                for (int slot = _buckets[_bucketHeap[i]].Head; slot != None; slot = _next[slot])
                {
                    yield return _timers[slot];
                }
            }
        }
    }

    private int AllocateSlot()
    {
        if (_freeSlot != None)
        {
            int free = _freeSlot;
            _freeSlot = _next[free];
            return free;
        }
        if (_slotsUsed == _timers.Length)
        {
            int size = _slotsUsed * 2;
            Array.Resize(ref _timers, size);
            Array.Resize(ref _next, size);
            Array.Resize(ref _previous, size);
            Array.Resize(ref _slotBucket, size);
        }
        return _slotsUsed++;
    }

    private void Unlink(int slot)
    {
        int bucket = _slotBucket[slot];
        ref var b = ref _buckets[bucket];
        int previous = _previous[slot];
        int next = _next[slot];
        if (previous == None)
        {
            b.Head = next;
        }
        else
        {
            _next[previous] = next;
        }
        if (next == None)
        {
            b.Tail = previous;
        }
        else
        {
            _previous[next] = previous;
        }
        // Free the slot; drop the timer so its key and namespace are not kept alive.
        _timers[slot] = default;
        _next[slot] = _freeSlot;
        _freeSlot = slot;
        if (b.Head == None)
        {
            FreeBucket(bucket);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BucketFor(long time)
    {
        if (_lastBucket != None && _buckets[_lastBucket].Time == time)
        {
            return _lastBucket;
        }
        return _lastBucket = FindOrCreateBucket(time);
    }

    private int FindOrCreateBucket(long time)
    {
        ref int found = ref CollectionsMarshal.GetValueRefOrAddDefault(_bucketOfTime, time, out bool exists);
        if (exists)
        {
            return found;
        }
        int bucket;
        if (_freeBucket != None)
        {
            bucket = _freeBucket;
            _freeBucket = _buckets[bucket].Head;
        }
        else
        {
            if (_bucketsUsed == _buckets.Length)
            {
                Array.Resize(ref _buckets, _bucketsUsed * 2);
                Array.Resize(ref _bucketHeap, _bucketsUsed * 2);
            }
            bucket = _bucketsUsed++;
        }
        found = bucket;
        _buckets[bucket] = new Bucket { Time = time, Head = None, Tail = None, HeapPosition = _heapCount };
        _bucketHeap[_heapCount++] = bucket;
        SiftUp(_heapCount - 1);
        return bucket;
    }

    private void FreeBucket(int bucket)
    {
        ref var b = ref _buckets[bucket];
        _bucketOfTime.Remove(b.Time);
        int position = b.HeapPosition;
        int last = --_heapCount;
        if (position != last)
        {
            _bucketHeap[position] = _bucketHeap[last];
            _buckets[_bucketHeap[position]].HeapPosition = position;
            if (!SiftUp(position))
            {
                SiftDown(position);
            }
        }
        // A free bucket keeps the next free bucket in Head.
        b = new Bucket { Time = long.MinValue, Head = _freeBucket, Tail = None, HeapPosition = None };
        _freeBucket = bucket;
        if (_lastBucket == bucket)
        {
            _lastBucket = None;
        }
    }

    private bool SiftUp(int position)
    {
        int start = position;
        int bucket = _bucketHeap[position];
        long time = _buckets[bucket].Time;
        while (position > 0)
        {
            int parent = (position - 1) >> 1;
            int parentBucket = _bucketHeap[parent];
            if (_buckets[parentBucket].Time <= time)
            {
                break;
            }
            _bucketHeap[position] = parentBucket;
            _buckets[parentBucket].HeapPosition = position;
            position = parent;
        }
        _bucketHeap[position] = bucket;
        _buckets[bucket].HeapPosition = position;
        return position != start;
    }

    private void SiftDown(int position)
    {
        int bucket = _bucketHeap[position];
        long time = _buckets[bucket].Time;
        while (true)
        {
            int child = 2 * position + 1;
            if (child >= _heapCount)
            {
                break;
            }
            if (child + 1 < _heapCount && _buckets[_bucketHeap[child + 1]].Time < _buckets[_bucketHeap[child]].Time)
            {
                child++;
            }
            int childBucket = _bucketHeap[child];
            if (_buckets[childBucket].Time >= time)
            {
                break;
            }
            _bucketHeap[position] = childBucket;
            _buckets[childBucket].HeapPosition = position;
            position = child;
        }
        _bucketHeap[position] = bucket;
        _buckets[bucket].HeapPosition = position;
    }

    /// <summary>The timers of one timestamp: the first and last slot of their list and the bucket's place in the heap.</summary>
    private struct Bucket
    {
        public long Time;
        public int Head;
        public int Tail;
        public int HeapPosition;
    }
}
