using System.Diagnostics;
using DataflowCompiler.Graph;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Network;
using DataflowCompiler.Tasks;

namespace DataflowCompiler.Cluster;

/// <summary>
/// Runs one job: expands the job graph into subtasks (the execution graph), creates their result
/// partitions and input gates and connects them, starts one thread per subtask, and ends the job
/// when all subtasks finished, one failed (cancelling the rest), or the user cancelled. Every
/// network and managed memory segment is back in its pool when the job's completion fires.
/// </summary>
internal sealed class JobMaster
{
    private readonly JobGraph _jobGraph;
    private readonly StreamConfiguration _configuration;
    private readonly SerializerRegistry _serializers;
    private readonly TaskManager _taskManager;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource<JobExecutionResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ResultPartition> _partitions = new();
    private readonly List<InputGate> _gates = new();
    private readonly List<StreamTask> _tasks = new();
    private readonly List<Dictionary<string, Counter>> _counters = new();
    private readonly Stopwatch _runtime = new();
    private int _status = (int)JobStatus.Created;
    private (StreamTask Task, Exception Error)? _firstFailure;
    private readonly object _lock = new();

    public JobMaster(JobGraph jobGraph, StreamConfiguration configuration, SerializerRegistry serializers, TaskManager taskManager)
    {
        _jobGraph = jobGraph;
        _configuration = configuration;
        _serializers = serializers;
        _taskManager = taskManager;
    }

    public Guid JobId => _jobGraph.JobId;
    public string JobName => _jobGraph.Name;
    public JobStatus Status => (JobStatus)Volatile.Read(ref _status);
    public Task<JobExecutionResult> Completion => _completion.Task;
    internal IReadOnlyList<StreamTask> Tasks => _tasks;

    public void Start()
    {
        try
        {
            Deploy();
        }
        catch (Exception e)
        {
            ReleaseAll();
            Volatile.Write(ref _status, (int)JobStatus.Failed);
            _completion.SetException(new JobExecutionException(JobId, JobName, e, $"it could not be deployed: {e.Message}"));
            return;
        }
        Volatile.Write(ref _status, (int)JobStatus.Running);
        _runtime.Start();
        foreach (var task in _tasks)
        {
            task.Completion.ContinueWith(t => OnTaskEnded(task, t), TaskScheduler.Default);
        }
        foreach (var task in _tasks)
        {
            task.Start();
        }
        Task.WhenAll(_tasks.Select(t => t.Completion)).ContinueWith(_ => OnAllEnded(), TaskScheduler.Default);
    }

    public void Cancel()
    {
        if (Interlocked.CompareExchange(ref _status, (int)JobStatus.Canceling, (int)JobStatus.Running) == (int)JobStatus.Running)
        {
            _cancellation.Cancel();
        }
    }

    private void Deploy()
    {
        var settings = _configuration.Network;
        var token = _cancellation.Token;
        var pool = _taskManager.NetworkPool;
        bool flushAlways = _configuration.BufferTimeout == TimeSpan.Zero;

        // Connections of every job edge, and per consumer subtask the order of its gate's channels.
        var connections = _jobGraph.Vertices.SelectMany(v => v.Outputs).ToDictionary(e => e, ExecutionEdges.Connections);
        var partitionsOf = new Dictionary<(JobEdge, int), ResultPartition>();
        foreach (var vertex in _jobGraph.Vertices)
        {
            foreach (var edge in vertex.Outputs)
            {
                for (int p = 0; p < vertex.Parallelism; p++)
                {
                    int subpartitions = connections[edge].Count(c => c.Producer == p);
                    var partition = new ResultPartition($"{vertex.Name} ({p + 1}/{vertex.Parallelism})", subpartitions, pool, settings, token);
                    _partitions.Add(partition);
                    partitionsOf[(edge, p)] = partition;
                }
            }
        }

        foreach (var vertex in _jobGraph.Vertices)
        {
            var fusedChain = Fusion.FusedChainRegistry.Resolve(vertex, _configuration);
            for (int s = 0; s < vertex.Parallelism; s++)
            {
                var counters = new Dictionary<string, Counter>();
                _counters.Add(counters);
                var outputs = vertex.Outputs.Select(e => (e, partitionsOf[(e, s)].NumberOfSubpartitions)).ToList();
                var partitions = vertex.Outputs.Select(e => partitionsOf[(e, s)]).ToList();
                var chain = new OperatorChain(vertex, s, partitions, outputs, _serializers, _taskManager.ManagedPool,
                    name => counters.TryGetValue(name, out var c) ? c : counters[name] = new Counter(), flushAlways, token,
                    _configuration.TimeProvider, _configuration.AutoWatermarkInterval, fusedChain);

                InputGate? gate = null;
                var readers = new List<IChannelReader>();
                var channelSources = new List<(ResultPartition Partition, int Subpartition)>();
                foreach (var edge in vertex.Inputs)
                {
                    var target = chain.Operators[edge.StreamEdge.Target].GetInput(edge.StreamEdge.InputIndex);
                    foreach (var (producer, subpartition, _) in connections[edge].Where(c => c.Consumer == s).OrderBy(c => c.Producer))
                    {
                        readers.Add(chain.CreateChannelReader(edge.StreamEdge, _serializers, target));
                        channelSources.Add((partitionsOf[(edge, producer)], subpartition));
                    }
                }
                if (channelSources.Count > 0)
                {
                    gate = new InputGate(chain.TaskName, channelSources.Count, pool, settings);
                    _gates.Add(gate);
                    for (int c = 0; c < channelSources.Count; c++)
                    {
                        LocalChannel.Connect(channelSources[c].Partition.GetSubpartition(channelSources[c].Subpartition), gate.GetChannel(c));
                    }
                }
                _tasks.Add(new StreamTask(chain, gate, readers.ToArray(), partitions, _configuration.BufferTimeout, token));
            }
        }
    }

    private void OnTaskEnded(StreamTask task, Task completion)
    {
        if (completion.IsFaulted)
        {
            var error = completion.Exception!.InnerExceptions.Count == 1 ? completion.Exception.InnerException! : completion.Exception;
            lock (_lock)
            {
                _firstFailure ??= (task, error);
            }
            Interlocked.CompareExchange(ref _status, (int)JobStatus.Failing, (int)JobStatus.Running);
            Interlocked.CompareExchange(ref _status, (int)JobStatus.Failing, (int)JobStatus.Canceling);
            _cancellation.Cancel();
        }
    }

    private void OnAllEnded()
    {
        _runtime.Stop();
        ReleaseAll();
        // The per-task continuations may not have run yet; the task completions are the truth.
        lock (_lock)
        {
            if (_firstFailure is null && _tasks.FirstOrDefault(t => t.Completion.IsFaulted) is { } failed)
            {
                var exception = failed.Completion.Exception!;
                _firstFailure = (failed, exception.InnerExceptions.Count == 1 ? exception.InnerException! : exception);
            }
        }
        if (_firstFailure is { } failure)
        {
            Volatile.Write(ref _status, (int)JobStatus.Failed);
            _completion.SetException(new JobExecutionException(JobId, JobName, failure.Task.Name, failure.Error));
        }
        else if (_cancellation.IsCancellationRequested)
        {
            Volatile.Write(ref _status, (int)JobStatus.Canceled);
            _completion.SetCanceled();
        }
        else
        {
            var accumulators = new Dictionary<string, long>();
            foreach (var counters in _counters)
            {
                foreach (var (name, counter) in counters)
                {
                    accumulators[name] = accumulators.GetValueOrDefault(name) + counter.Value;
                }
            }
            Volatile.Write(ref _status, (int)JobStatus.Finished);
            _completion.SetResult(new JobExecutionResult(JobId, JobName, _runtime.Elapsed, accumulators));
        }
    }

    private void ReleaseAll()
    {
        foreach (var gate in _gates)
        {
            gate.Release();
        }
        foreach (var partition in _partitions)
        {
            partition.Release();
        }
    }
}
