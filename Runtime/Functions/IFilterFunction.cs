namespace DataflowCompiler.Functions;

/// <summary>Keeps the records for which <see cref="Filter"/> is true.</summary>
public interface IFilterFunction<in T>
{
    bool Filter(T value);
}
