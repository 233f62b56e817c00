namespace DataflowCompiler.Fusion;

/// <summary>Whether tasks run the generator's fused chains (<see cref="StreamConfiguration.Fusion"/>).</summary>
public enum FusionMode
{
    /// <summary>A chain whose fused implementation matches runs fused; every other chain runs interpreted.</summary>
    Enabled,

    /// <summary>Every chain runs interpreted (the reference path tests compare against).</summary>
    Disabled,
}
