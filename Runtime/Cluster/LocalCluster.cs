using DataflowCompiler.Graph;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Cluster;

/// <summary>
/// The embedded cluster: a job manager and one task manager inside this process. Jobs of one
/// environment run on the same task manager, so its pools can be inspected between jobs.
/// </summary>
internal sealed class LocalCluster(StreamConfiguration configuration)
{
    public TaskManager TaskManager { get; } = new(configuration);

    public JobClient Submit(JobGraph jobGraph, StreamConfiguration jobConfiguration, SerializerRegistry serializers)
    {
        var master = new JobMaster(jobGraph, jobConfiguration, serializers, TaskManager);
        master.Start();
        return new JobClient(master);
    }
}
