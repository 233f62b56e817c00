namespace DataflowCompiler.Network;

/// <summary>The in-process transport: connects a subpartition to an input channel under credit-based flow control.</summary>
public static class LocalChannel
{
    /// <summary>Connects the two ends; the channel announces its exclusive buffers as initial credit.</summary>
    public static void Connect(ResultSubpartition sender, InputChannel receiver) => throw new NotImplementedException();
}
