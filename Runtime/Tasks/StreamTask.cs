using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;

namespace DataflowCompiler.Tasks;

/// <summary>
/// One subtask of a chain, on its own thread, running the mailbox loop (DESIGN §4): take input
/// from the gate (or poll the source), run the chain, run mail (flushes). It blocks only when there
/// is neither input nor mail. User code runs only on this thread, so state needs no locks.
/// </summary>
internal sealed class StreamTask
{
    private const int SourceBatch = 512;

    private readonly OperatorChain _chain;
    private readonly InputGate? _gate;
    private readonly IChannelReader[] _readers;
    private readonly IReadOnlyList<ResultPartition> _partitions;
    private readonly TimeSpan _bufferTimeout;
    private readonly CancellationToken _cancellation;
    private readonly TaskSignal _signal = new();
    private readonly Mailbox _mailbox;
    private readonly Action _flushOutputs; // created once: a method group would allocate a delegate per loop pass
    private readonly StatusWatermarkValve[] _valveOfChannel;
    private readonly int[] _indexInValve;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;

    public StreamTask(OperatorChain chain, InputGate? gate, IChannelReader[] readers, IReadOnlyList<ResultPartition> partitions,
        TimeSpan bufferTimeout, CancellationToken cancellation)
    {
        _chain = chain;
        _gate = gate;
        _readers = readers;
        _partitions = partitions;
        _bufferTimeout = bufferTimeout;
        _cancellation = cancellation;
        _mailbox = new Mailbox(_signal);
        _flushOutputs = chain.FlushOutputs;
        chain.Time.ProcessingTime.Attach(_mailbox);
        gate?.SetAvailabilityListener(_signal.Set);

        // One valve per operator input: the channels feeding the same input share it (Flink: one per input gate of an input).
        _valveOfChannel = new StatusWatermarkValve[readers.Length];
        _indexInValve = new int[readers.Length];
        foreach (var group in readers.Select((reader, channel) => (reader.Target, channel)).GroupBy(x => x.Target, ReferenceEqualityComparer.Instance))
        {
            var channels = group.Select(x => x.channel).ToArray();
            var valve = new StatusWatermarkValve(channels.Length, (Operators.IWatermarkInput)group.Key!);
            for (int i = 0; i < channels.Length; i++)
            {
                _valveOfChannel[channels[i]] = valve;
                _indexInValve[channels[i]] = i;
            }
        }
    }

    public string Name => _chain.TaskName;


    /// <summary>Completes when the thread ends: successfully, faulted with the task's failure, or cancelled.</summary>
    public Task Completion => _completion.Task;

    public void Start()
    {
        _thread = new Thread(Run) { Name = Name, IsBackground = true };
        _thread.Start();
    }


    private void Run()
    {
        Exception? failure = null;
        OutputFlusher? flusher = null;
        try
        {
            if (_partitions.Count > 0 && _bufferTimeout > TimeSpan.Zero && _bufferTimeout != Timeout.InfiniteTimeSpan)
            {
                flusher = new OutputFlusher(_bufferTimeout, _mailbox.RequestFlush);
            }
            _chain.Open();
            if (_chain.Head is ISourceDriver source)
            {
                RunSource(source);
            }
            else
            {
                RunInputs();
            }
            // End of input: pending processing-time timers are dropped (Flink quiesces its timer service), event time ends with the final watermark.
            _chain.Time.ProcessingTime.Quiesce();
            _chain.Finish();
            foreach (var partition in _partitions)
            {
                partition.Finish();
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            _chain.Time.ProcessingTime.Quiesce();
            flusher?.Dispose();
            var closeErrors = _chain.Close();
            foreach (var reader in _readers)
            {
                try
                {
                    reader.Clear();
                }
                catch (Exception e)
                {
                    closeErrors.Add(e);
                }
            }
            if (failure is null && closeErrors.Count > 0)
            {
                failure = closeErrors.Count == 1 ? closeErrors[0] : new AggregateException(closeErrors);
            }
        }
        if (failure is null)
        {
            _completion.SetResult();
        }
        else if (failure is OperationCanceledException && _cancellation.IsCancellationRequested)
        {
            _completion.SetCanceled(_cancellation);
        }
        else
        {
            _completion.SetException(failure);
        }
    }

    private void RunSource(ISourceDriver source)
    {
        source.OpenReader(_signal.Set);
        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            int version = _signal.Version;
            _mailbox.ProcessMail(_flushOutputs);
            var status = source.EmitBatch(SourceBatch, ref _mailbox.MailFlag);
            if (status == ReadStatus.EndOfInput)
            {
                // A reader may end its input because the task is being cancelled (the socket source does);
                // that is not the end of a bounded stream, so sinks must not see a final flush.
                _cancellation.ThrowIfCancellationRequested();
                return;
            }
            if (status == ReadStatus.NothingAvailable && Volatile.Read(ref _mailbox.MailFlag) == 0)
            {
                _signal.WaitForChange(version, _cancellation);
            }
        }
    }

    private void RunInputs()
    {
        var gate = _gate!;
        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            int version = _signal.Version;
            _mailbox.ProcessMail(_flushOutputs);
            if (gate.TryGetNext(out var next))
            {
                if (next.Buffer is { } buffer)
                {
                    _readers[next.ChannelIndex].ProcessBuffer(buffer);
                }
                else if (next.Event is Watermark watermark)
                {
                    _valveOfChannel[next.ChannelIndex].InputWatermark(watermark, _indexInValve[next.ChannelIndex]);
                }
                else if (next.Event is WatermarkStatus status)
                {
                    _valveOfChannel[next.ChannelIndex].InputWatermarkStatus(status, _indexInValve[next.ChannelIndex]);
                }
                else if (next.Event is EndOfPartitionEvent && gate.IsFinished)
                {
                    return;
                }
                continue;
            }
            if (gate.IsFinished)
            {
                return;
            }
            if (Volatile.Read(ref _mailbox.MailFlag) == 0)
            {
                _signal.WaitForChange(version, _cancellation);
            }
        }
    }
}
