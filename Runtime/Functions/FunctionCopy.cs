using System.Reflection;

namespace DataflowCompiler.Functions;

/// <summary>
/// Gives every parallel subtask its own instance of a user function object, as Flink does by
/// deserializing a copy per subtask. The copy is shallow (MemberwiseClone): fields assigned in
/// Open, such as state handles, belong to one subtask; objects the fields refer to are shared and
/// must be immutable or thread-safe.
/// </summary>
internal static class FunctionCopy
{
    private static readonly Func<object, object> Clone =
        (Func<object, object>)typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!
            .CreateDelegate(typeof(Func<object, object>));

    public static T Of<T>(T function) where T : class => (T)Clone(function);
}
