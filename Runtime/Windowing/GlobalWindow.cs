namespace DataflowCompiler.Windowing;

/// <summary>The one window that holds every element of a key (Flink's GlobalWindow); it never ends.</summary>
public readonly struct GlobalWindow : IWindow, IEquatable<GlobalWindow>
{
    /// <summary>The global window (all instances are equal).</summary>
    public static GlobalWindow Instance => default;

    /// <summary><see cref="long.MaxValue"/>: the global window never ends.</summary>
    public long MaxTimestamp => long.MaxValue;

    /// <inheritdoc />
    public bool Equals(GlobalWindow other) => true;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is GlobalWindow;

    /// <inheritdoc />
    public override int GetHashCode() => 0;

    /// <inheritdoc />
    public override string ToString() => "GlobalWindow";

    public static bool operator ==(GlobalWindow left, GlobalWindow right) => true;

    public static bool operator !=(GlobalWindow left, GlobalWindow right) => false;
}
