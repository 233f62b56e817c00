namespace DataflowCompiler.Network;

/// <summary>The in-process transport: connects a subpartition to an input channel under credit-based flow control.</summary>
public static class LocalChannel
{
    /// <summary>Connects the two ends; the channel announces its exclusive buffers as initial credit.</summary>
    /// <remarks>
    /// Connect at deployment, before the consuming task reads. Data the producer queued earlier is shipped
    /// right away as far as the credit goes. "Shipping" copies a finished sender buffer into a free
    /// receiver buffer, which is what a TCP transport does too, so both transports share the protocol.
    /// </remarks>
    public static void Connect(ResultSubpartition sender, InputChannel receiver)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(receiver);
        if (receiver.Gate.Settings.ExclusiveBuffersPerChannel < 1)
        {
            throw new InvalidOperationException($"Input gate '{receiver.Gate.Owner}' has no exclusive buffers to announce as credit.");
        }
        receiver.Connect(sender);
    }
}
