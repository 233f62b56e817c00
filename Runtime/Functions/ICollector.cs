namespace DataflowCompiler.Functions;

/// <summary>Receives the records a FlatMap or process function emits.</summary>
public interface ICollector<in T>
{
    void Collect(T record);
}
