using System.Collections.Concurrent;
using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>
/// An unbounded, parallel source the test feeds: <see cref="Push"/> hands a record to one subtask, <see cref="End"/>
/// ends a subtask's input. Readers report "nothing available" while their queue is empty and are woken on push.
/// </summary>
internal sealed class PushSource<T>(int parallelism) : ISource<T>
{
    private readonly ConcurrentQueue<T>[] _queues = Enumerable.Range(0, parallelism).Select(_ => new ConcurrentQueue<T>()).ToArray();
    private readonly bool[] _ended = new bool[parallelism];
    private readonly Action?[] _signals = new Action?[parallelism];
    private readonly object _lock = new();

    public Boundedness Boundedness => Boundedness.ContinuousUnbounded;

    public int MaxParallelism => parallelism;

    public string Name => "Push";

    public void Push(int subtask, T record)
    {
        _queues[subtask].Enqueue(record);
        Signal(subtask);
    }

    public void End(int subtask)
    {
        Volatile.Write(ref _ended[subtask], true);
        Signal(subtask);
    }

    public void EndAll()
    {
        for (int i = 0; i < parallelism; i++)
        {
            End(i);
        }
    }

    private void Signal(int subtask)
    {
        Action? signal;
        lock (_lock)
        {
            signal = _signals[subtask];
        }
        signal?.Invoke();
    }

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        lock (_lock)
        {
            _signals[context.SubtaskIndex] = context.SignalAvailable;
        }
        return new Reader(this, context.SubtaskIndex);
    }

    private sealed class Reader(PushSource<T> source, int subtask) : ISourceReader<T>
    {
        public ReadStatus PollNext(out T record)
        {
            // Read "ended" before the queue, so a record pushed before End is never lost.
            bool ended = Volatile.Read(ref source._ended[subtask]);
            if (source._queues[subtask].TryDequeue(out record!))
            {
                return ReadStatus.Record;
            }
            return ended ? ReadStatus.EndOfInput : ReadStatus.NothingAvailable;
        }

        public void Dispose() { }
    }
}
