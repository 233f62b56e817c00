namespace DataflowCompiler.Network;

/// <summary>
/// Calls a flush request periodically (the buffer timeout, 100 ms by default) on a background
/// thread. It only requests: the owning task performs the flush on its own thread.
/// </summary>
public sealed class OutputFlusher : IDisposable
{
    public OutputFlusher(TimeSpan interval, Action requestFlush) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
