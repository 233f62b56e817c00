namespace DataflowCompiler.Functions;

/// <summary>Combines two values of the same type into one (associative for windows).</summary>
public interface IReduceFunction<T>
{
    T Reduce(T accumulated, T value);
}
