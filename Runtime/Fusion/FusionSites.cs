using System.ComponentModel;

namespace DataflowCompiler.Fusion;

/// <summary>
/// Called by generated interceptors: attaches the fusion site id of a fluent call (and the user object the
/// fused code needs at run time: a source, a sink or a function object) to the operator the call just added.
/// Not for user code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FusionSites
{
    /// <summary>Tags the operator most recently added to <paramref name="environment"/>'s graph.</summary>
    public static void Tag(StreamEnvironment environment, string site, object? state)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(site);
        var nodes = environment.Graph.Nodes;
        if (nodes.Count == 0)
        {
            throw new InvalidOperationException($"Fusion site '{site}' was reported before its operator was added.");
        }
        var node = nodes[^1];
        node.FusionSite = site;
        node.FusionState = state;
    }
}
