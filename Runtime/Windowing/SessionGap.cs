namespace DataflowCompiler.Windowing;

/// <summary>Adapts a delegate to <see cref="ISessionWindowTimeGapExtractor{T}"/>.</summary>
internal sealed class SessionGap<T>(Func<T, long> extract) : ISessionWindowTimeGapExtractor<T>
{
    public long Extract(T element) => extract(element);
}

/// <summary>Factory for <see cref="SessionGap{T}"/>.</summary>
internal static class SessionGap
{
    public static ISessionWindowTimeGapExtractor<T> From<T>(Func<T, long> extract)
    {
        ArgumentNullException.ThrowIfNull(extract);
        return new SessionGap<T>(extract);
    }
}
