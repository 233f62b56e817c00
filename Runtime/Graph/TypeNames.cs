namespace DataflowCompiler.Graph;

/// <summary>Readable, process-independent type names for chain signatures: "Int32", "ValueTuple&lt;String,Int64&gt;", "MyApp.Click".</summary>
internal static class TypeNames
{
    public static string Display(Type type)
    {
        if (type.IsArray)
        {
            return Display(type.GetElementType()!) + "[]";
        }
        string name = type.Namespace is "System" or "System.Collections.Generic" || type.Namespace is null
            ? type.Name
            : type.FullName is { } full && !type.IsGenericType ? full.Replace('+', '.') : $"{type.Namespace}.{type.Name}";
        if (!type.IsGenericType)
        {
            return name;
        }
        int tick = name.IndexOf('`');
        if (tick >= 0)
        {
            name = name[..tick];
        }
        return $"{name}<{string.Join(",", type.GetGenericArguments().Select(Display))}>";
    }
}
