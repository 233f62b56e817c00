using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// A replayable bounded source: subtask i of p emits <c>generator(index)</c> for the indices j·p + i below
/// <c>count</c>, but only while its position is below the gate's limit (so a test can hold a running job at a known
/// point without blocking the task, take a savepoint there, or let it run to the end).
/// </summary>
public sealed class GatedSource<T>(Func<long, T> generator, long count, SourceGate gate) : ISource<T>
{
    public Boundedness Boundedness => Boundedness.Bounded;

    public int MaxParallelism => int.MaxValue;

    public string Name => "Gated";

    public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(this, context);

    private sealed class Reader(GatedSource<T> source, SourceReaderContext context) : ISourceReader<T>, IPositionedReader
    {
        public long Position { get; private set; }

        public void Seek(long position) => Position = position;

        public ReadStatus PollNext(out T record)
        {
            record = default!;
            long index = Position * context.Parallelism + context.SubtaskIndex;
            if (index >= source._count)
            {
                return ReadStatus.EndOfInput;
            }
            if (!source._gate.TryPass(index, context.SignalAvailable))
            {
                return ReadStatus.NothingAvailable;
            }
            record = source._generator(index);
            Position++;
            source._gate.CountEmitted();
            return ReadStatus.Record;
        }

        public void Dispose()
        {
        }
    }

    private readonly Func<long, T> _generator = generator;
    private readonly long _count = count;
    private readonly SourceGate _gate = gate;
}
