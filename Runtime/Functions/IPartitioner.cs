namespace DataflowCompiler.Functions;

/// <summary>Chooses the downstream partition of a key for <c>PartitionCustom</c>.</summary>
public interface IPartitioner<in TKey>
{
    /// <summary>A partition index in [0, <paramref name="numPartitions"/>).</summary>
    int Partition(TKey key, int numPartitions);
}
