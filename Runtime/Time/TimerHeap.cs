namespace DataflowCompiler.Time;

/// <summary>
/// The timers of one time domain of a timer service: a binary min-heap ordered by timestamp (ties in
/// registration order, so firing is deterministic) with a hash index that makes a timer unique and lets it be
/// deleted in O(log n) (Flink's HeapPriorityQueueSet). Thread-confined.
/// </summary>
internal sealed class TimerHeap<TKey, TNamespace>
{
    private Node[] _heap = new Node[16];
    private readonly Dictionary<InternalTimer<TKey, TNamespace>, int> _index = new();
    private int _count;
    private long _sequence;

    public int Count => _count;

    /// <summary>Adds the timer unless an equal one is there; true if added.</summary>
    public bool Add(in InternalTimer<TKey, TNamespace> timer)
    {
        if (_index.ContainsKey(timer))
        {
            return false;
        }
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _count * 2);
        }
        _heap[_count] = new Node(timer, _sequence++);
        _index[timer] = _count;
        SiftUp(_count++);
        return true;
    }

    /// <summary>Removes the timer if it is there; true if removed.</summary>
    public bool Remove(in InternalTimer<TKey, TNamespace> timer)
    {
        if (!_index.Remove(timer, out int position))
        {
            return false;
        }
        int last = --_count;
        if (position != last)
        {
            _heap[position] = _heap[last];
            _heap[last] = default;
            _index[_heap[position].Timer] = position;
            if (!SiftUp(position))
            {
                SiftDown(position);
            }
        }
        else
        {
            _heap[last] = default;
        }
        return true;
    }

    /// <summary>The earliest timer, if any.</summary>
    public bool TryPeek(out InternalTimer<TKey, TNamespace> timer)
    {
        if (_count == 0)
        {
            timer = default;
            return false;
        }
        timer = _heap[0].Timer;
        return true;
    }

    /// <summary>Removes and returns the earliest timer if its timestamp is at or below <paramref name="time"/>.</summary>
    public bool TryPollDue(long time, out InternalTimer<TKey, TNamespace> timer)
    {
        if (_count == 0 || _heap[0].Timer.Timestamp > time)
        {
            timer = default;
            return false;
        }
        timer = _heap[0].Timer;
        Remove(timer);
        return true;
    }

    /// <summary>All timers, in no particular order (for snapshots).</summary>
    public IEnumerable<InternalTimer<TKey, TNamespace>> Timers
    {
        get
        {
            for (int i = 0; i < _count; i++)
            {
                yield return _heap[i].Timer;
            }
        }
    }

    private static bool Less(in Node a, in Node b) =>
        a.Timer.Timestamp < b.Timer.Timestamp || (a.Timer.Timestamp == b.Timer.Timestamp && a.Sequence < b.Sequence);

    private bool SiftUp(int position)
    {
        int start = position;
        var node = _heap[position];
        while (position > 0)
        {
            int parent = (position - 1) >> 1;
            if (!Less(node, _heap[parent]))
            {
                break;
            }
            _heap[position] = _heap[parent];
            _index[_heap[position].Timer] = position;
            position = parent;
        }
        _heap[position] = node;
        _index[node.Timer] = position;
        return position != start;
    }

    private void SiftDown(int position)
    {
        var node = _heap[position];
        while (true)
        {
            int child = 2 * position + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && Less(_heap[child + 1], _heap[child]))
            {
                child++;
            }
            if (!Less(_heap[child], node))
            {
                break;
            }
            _heap[position] = _heap[child];
            _index[_heap[position].Timer] = position;
            position = child;
        }
        _heap[position] = node;
        _index[node.Timer] = position;
    }

    private readonly record struct Node(InternalTimer<TKey, TNamespace> Timer, long Sequence);
}
