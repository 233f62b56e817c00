namespace DataflowCompiler.Generator.Fusion;

/// <summary>
/// One intercepted fluent call: the interceptor calls the same API and then tags the operator it added with
/// its fusion site and the user object the fused code needs (<see cref="Shape"/> says which).
/// </summary>
internal sealed record InterceptorSpec
{
    public InterceptorSpec(int version, string data, string methodName, string receiverType, string returnType,
        EquatableArray<ParameterSpec> parameters, string site, string shape, string elementType)
    {
        Version = version;
        Data = data;
        MethodName = methodName;
        ReceiverType = receiverType;
        ReturnType = returnType;
        Parameters = parameters;
        Site = site;
        Shape = shape;
        ElementType = elementType;
    }

    public int Version { get; }
    public string Data { get; }
    public string MethodName { get; }
    public string ReceiverType { get; }
    public string ReturnType { get; }
    public EquatableArray<ParameterSpec> Parameters { get; }
    public string Site { get; }

    /// <summary>"Plain" (no user object), "State:param" (the named argument), "Sequence", "Collection", "Generator", "Print", "Collect", "TextFile".</summary>
    public string Shape { get; }

    /// <summary>The record type of the stream the call produces or consumes (fully qualified).</summary>
    public string ElementType { get; }
}
