using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Windowing;

/// <summary>
/// Puts every element of a key into the one <see cref="GlobalWindow"/> (Flink's GlobalWindows). Its default
/// trigger never fires, so it is used with a custom trigger, e.g. a <see cref="CountTrigger{T, W}"/> for count windows.
/// </summary>
public sealed class GlobalWindows : WindowAssigner<GlobalWindow>
{
    private static readonly GlobalWindows Shared = new();

    private GlobalWindows()
    {
    }

    /// <summary>The global window assigner.</summary>
    public static GlobalWindows Create() => Shared;

    /// <inheritdoc />
    public override void AssignWindows<T>(T element, long timestamp, WindowAssignerContext context, ICollection<GlobalWindow> windows) =>
        windows.Add(GlobalWindow.Instance);

    /// <inheritdoc />
    public override Trigger<T, GlobalWindow> GetDefaultTrigger<T>() => NeverTrigger<T, GlobalWindow>.Create();

    /// <inheritdoc />
    public override IRecordSerializer<GlobalWindow> WindowSerializer => GlobalWindowSerializer.Instance;

    /// <inheritdoc />
    public override bool IsEventTime => false;

    /// <inheritdoc />
    public override string ToString() => "GlobalWindows()";
}
