namespace DataflowCompiler.Functions;

/// <summary>A reduce delegate as an <see cref="IReduceFunction{T}"/> (for APIs that take the function object).</summary>
internal sealed class DelegateReduceFunction<T>(Func<T, T, T> reduce) : IReduceFunction<T>
{
    public T Reduce(T accumulated, T value) => reduce(accumulated, value);
}
