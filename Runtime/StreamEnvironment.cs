using DataflowCompiler.Cluster;
using DataflowCompiler.Graph;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Operators;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;

namespace DataflowCompiler;

/// <summary>
/// Where a job is defined and run. <see cref="CreateLocal(int)"/> runs jobs on an embedded cluster
/// (a job manager and a task manager inside this process).
/// </summary>
public sealed class StreamEnvironment
{
    private readonly StreamGraph _graph = new();
    private LocalCluster? _cluster;

    private StreamEnvironment(StreamConfiguration configuration)
    {
        configuration.Validate();
        Configuration = configuration;
    }

    /// <summary>An environment on the embedded local cluster with the given default parallelism.</summary>
    public static StreamEnvironment CreateLocal(int parallelism)
    {
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be at least 1.");
        }
        return new StreamEnvironment(new StreamConfiguration { Parallelism = parallelism });
    }

    /// <summary>An environment on the embedded local cluster with one subtask per processor.</summary>
    public static StreamEnvironment CreateLocal() => new(new StreamConfiguration());

    /// <summary>An environment on the embedded local cluster with the given settings.</summary>
    public static StreamEnvironment CreateLocal(StreamConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new StreamEnvironment(configuration);
    }

    /// <summary>Settings; read when a job starts.</summary>
    public StreamConfiguration Configuration { get; }

    /// <summary>Serializers for the record, key and state types of the jobs of this environment.</summary>
    public SerializerRegistry Serializers { get; } = new();

    /// <summary>Default parallelism of operators.</summary>
    public int Parallelism
    {
        get => Configuration.Parallelism;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Parallelism must be at least 1.");
            }
            Configuration.Parallelism = value;
        }
    }

    /// <summary>Registers the serializer for records, keys or state of type <typeparamref name="T"/>.</summary>
    public StreamEnvironment RegisterSerializer<T>(IRecordSerializer<T> serializer)
    {
        Serializers.Register(serializer);
        return this;
    }

    internal StreamGraph Graph => _graph;

    internal LocalCluster? Cluster => _cluster;

    /// <summary>A stream from any source.</summary>
    public DataStream<T> FromSource<T>(ISource<T> source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var node = _graph.AddNode(new StreamNode(_graph.NextId, "Source", $"Source: {name ?? source.Name}", TypeInfo<T>.Instance,
            Array.Empty<TypeInfo>(), () => new SourceOperator<T>(source))
        {
            IsSource = true,
            ParallelismLimit = source.MaxParallelism,
        });
        node.Chaining = ChainingStrategy.Head;
        return new DataStream<T>(this, node);
    }

    /// <summary>
    /// A stream from any source, with event time: every record gets its timestamp from the strategy's assigner, and
    /// each source subtask generates watermarks (periodically every <see cref="StreamConfiguration.AutoWatermarkInterval"/>
    /// and/or per record) and, when its input ends, the final <see cref="Watermark.MaxValue"/>.
    /// </summary>
    public DataStream<T> FromSource<T>(ISource<T> source, WatermarkStrategy<T> watermarkStrategy, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(watermarkStrategy);
        var node = _graph.AddNode(new StreamNode(_graph.NextId, "Source", $"Source: {name ?? source.Name}", TypeInfo<T>.Instance,
            Array.Empty<TypeInfo>(), () => new SourceOperator<T>(source, watermarkStrategy))
        {
            IsSource = true,
            ParallelismLimit = source.MaxParallelism,
            AssignsTimestamps = true,
        });
        node.Chaining = ChainingStrategy.Head;
        return new DataStream<T>(this, node);
    }

    /// <summary>A bounded, non-parallel stream of the given items, in order.</summary>
    public DataStream<T> FromCollection<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items, nameof(items));
        return FromSource(new CollectionSource<T>(items), "Collection");
    }

    /// <summary>A bounded, non-parallel stream of the given items, in order.</summary>
    public DataStream<T> FromElements<T>(params T[] items) => FromCollection(items);

    /// <summary>The numbers from <paramref name="from"/> to <paramref name="to"/> inclusive, split across parallel subtasks.</summary>
    public DataStream<long> FromSequence(long from, long to) => FromSource(new SequenceSource(from, to), "Sequence");

    /// <summary>A parallel stream of <c>generator(i)</c> for i in [0, count).</summary>
    public DataStream<T> FromGenerator<T>(Func<long, T> generator, long count)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return FromSource(new GeneratorSource<T>(generator, count), "Generator");
    }

    /// <summary>The lines of a text file (bounded, non-parallel). A missing file is reported here.</summary>
    public DataStream<string> ReadTextFile(string path) => FromSource(new TextFileSource(path), "TextFile");

    /// <summary>Lines read from a TCP socket (unbounded, non-parallel); ends when the server closes the connection.</summary>
    public DataStream<string> SocketTextStream(string host, int port, string delimiter = "\n", int maxRetries = 0) =>
        FromSource(new SocketTextSource(host, port, delimiter, maxRetries), $"Socket {host}:{port}");

    /// <summary>
    /// Turns on periodic checkpoints every <paramref name="interval"/> (Flink's <c>enableCheckpointing</c>); the other
    /// settings are in <see cref="StreamConfiguration.Checkpointing"/>.
    /// </summary>
    public StreamEnvironment EnableCheckpointing(TimeSpan interval, CheckpointingMode mode = CheckpointingMode.ExactlyOnce)
    {
        Configuration.Checkpointing.Interval = interval;
        Configuration.Checkpointing.Mode = mode;
        Configuration.Checkpointing.Validate();
        return this;
    }

    /// <summary>Builds the job from everything defined so far, runs it, and waits for the result.</summary>
    /// <exception cref="JobExecutionException">The job failed; the inner exception is the cause.</exception>
    public JobExecutionResult Execute(string jobName = "DataflowCompiler Job")
    {
        var client = ExecuteAsync(jobName);
        try
        {
            return client.Completion.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (client.Status == JobStatus.Canceled)
        {
            throw new JobCanceledException(client.JobId, jobName);
        }
    }

    /// <summary>Builds the job, starts it, and returns a client to watch or cancel it.</summary>
    public JobClient ExecuteAsync(string jobName = "DataflowCompiler Job")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobName);
        if (_graph.Nodes.Count == 0)
        {
            throw new InvalidOperationException("The job has no operators. Define a source and a sink before calling Execute.");
        }
        var configuration = Configuration.Clone();
        configuration.Validate();
        var jobGraph = JobGraphBuilder.Build(jobName, _graph, configuration, Serializers);
        // As in Flink, a job takes the operators defined so far; the next job starts from an empty graph.
        _graph.Nodes.Clear();
        _cluster ??= new LocalCluster(configuration);
        return _cluster.Submit(jobGraph, configuration, Serializers);
    }
}
