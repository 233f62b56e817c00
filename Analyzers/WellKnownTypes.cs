using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Analyzers;

/// <summary>The runtime's and the BCL's types the analyzers compare against, resolved once per compilation.</summary>
internal sealed class WellKnownTypes
{
    private WellKnownTypes(Compilation compilation)
    {
        StreamEnvironment = compilation.GetTypeByMetadataName("DataflowCompiler.StreamEnvironment");
        DataStream = compilation.GetTypeByMetadataName("DataflowCompiler.DataStream`1");
        KeyedStream = compilation.GetTypeByMetadataName("DataflowCompiler.KeyedStream`2");
        ConnectedStreams = compilation.GetTypeByMetadataName("DataflowCompiler.ConnectedStreams`2");
        KeyedConnectedStreams = compilation.GetTypeByMetadataName("DataflowCompiler.KeyedConnectedStreams`3");
        DataStreamSink = compilation.GetTypeByMetadataName("DataflowCompiler.DataStreamSink`1");
        DataflowJobAttribute = compilation.GetTypeByMetadataName("DataflowCompiler.DataflowJobAttribute");
        DataflowSerializableAttribute = compilation.GetTypeByMetadataName("DataflowCompiler.Serialization.DataflowSerializableAttribute");
        Guid = compilation.GetTypeByMetadataName("System.Guid");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        DateTimeOffset = compilation.GetTypeByMetadataName("System.DateTimeOffset");
        Half = compilation.GetTypeByMetadataName("System.Half");
        ListOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.List`1");
        IListOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IList`1");
        IReadOnlyListOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyList`1");
        Random = compilation.GetTypeByMetadataName("System.Random");
        Stopwatch = compilation.GetTypeByMetadataName("System.Diagnostics.Stopwatch");
        Environment = compilation.GetTypeByMetadataName("System.Environment");
        RandomNumberGenerator = compilation.GetTypeByMetadataName("System.Security.Cryptography.RandomNumberGenerator");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        Monitor = compilation.GetTypeByMetadataName("System.Threading.Monitor");
        WaitHandle = compilation.GetTypeByMetadataName("System.Threading.WaitHandle");
        SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        ManualResetEventSlim = compilation.GetTypeByMetadataName("System.Threading.ManualResetEventSlim");
        CountdownEvent = compilation.GetTypeByMetadataName("System.Threading.CountdownEvent");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        TaskAwaiter = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.TaskAwaiter");
        TaskAwaiterOfT = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.TaskAwaiter`1");
        ValueTaskAwaiter = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ValueTaskAwaiter");
        ValueTaskAwaiterOfT = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ValueTaskAwaiter`1");
        ConfiguredTaskAwaiter = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredTaskAwaitable+ConfiguredTaskAwaiter");
        ConfiguredTaskAwaiterOfT = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1+ConfiguredTaskAwaiter");

        var functionTypes = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        foreach (var name in FunctionTypeNames)
        {
            if (compilation.GetTypeByMetadataName(name) is { } type)
            {
                functionTypes.Add(type);
            }
        }
        FunctionTypes = functionTypes.ToImmutable();
    }

    // Base classes and interfaces whose implementations run as operator code on the task thread.
    private static readonly string[] FunctionTypeNames =
    [
        "DataflowCompiler.Functions.RichFunction",
        "DataflowCompiler.Functions.IRichFunction",
        "DataflowCompiler.Functions.ProcessFunction`2",
        "DataflowCompiler.Functions.KeyedProcessFunction`3",
        "DataflowCompiler.Functions.CoProcessFunction`3",
        "DataflowCompiler.Functions.IMapFunction`2",
        "DataflowCompiler.Functions.IFilterFunction`1",
        "DataflowCompiler.Functions.IFlatMapFunction`2",
        "DataflowCompiler.Functions.IReduceFunction`1",
        "DataflowCompiler.Functions.IAggregateFunction`3",
        "DataflowCompiler.Functions.ICoMapFunction`3",
        "DataflowCompiler.Functions.ICoFlatMapFunction`3",
        "DataflowCompiler.Functions.IPartitioner`1",
        "DataflowCompiler.Sinks.ISinkWriter`1",
        "DataflowCompiler.Sources.ISourceReader`1",
    ];

#pragma warning disable CS1591 // the names say what they are
    public INamedTypeSymbol? StreamEnvironment { get; }
    public INamedTypeSymbol? DataStream { get; }
    public INamedTypeSymbol? KeyedStream { get; }
    public INamedTypeSymbol? ConnectedStreams { get; }
    public INamedTypeSymbol? KeyedConnectedStreams { get; }
    public INamedTypeSymbol? DataStreamSink { get; }
    public INamedTypeSymbol? DataflowJobAttribute { get; }
    public INamedTypeSymbol? DataflowSerializableAttribute { get; }
    public INamedTypeSymbol? Guid { get; }
    public INamedTypeSymbol? TimeSpan { get; }
    public INamedTypeSymbol? DateTimeOffset { get; }
    public INamedTypeSymbol? Half { get; }
    public INamedTypeSymbol? ListOfT { get; }
    public INamedTypeSymbol? IListOfT { get; }
    public INamedTypeSymbol? IReadOnlyListOfT { get; }
    public INamedTypeSymbol? Random { get; }
    public INamedTypeSymbol? Stopwatch { get; }
    public INamedTypeSymbol? Environment { get; }
    public INamedTypeSymbol? RandomNumberGenerator { get; }
    public INamedTypeSymbol? Thread { get; }
    public INamedTypeSymbol? Monitor { get; }
    public INamedTypeSymbol? WaitHandle { get; }
    public INamedTypeSymbol? SemaphoreSlim { get; }
    public INamedTypeSymbol? ManualResetEventSlim { get; }
    public INamedTypeSymbol? CountdownEvent { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? TaskOfT { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }
    public INamedTypeSymbol? TaskAwaiter { get; }
    public INamedTypeSymbol? TaskAwaiterOfT { get; }
    public INamedTypeSymbol? ValueTaskAwaiter { get; }
    public INamedTypeSymbol? ValueTaskAwaiterOfT { get; }
    public INamedTypeSymbol? ConfiguredTaskAwaiter { get; }
    public INamedTypeSymbol? ConfiguredTaskAwaiterOfT { get; }
#pragma warning restore CS1591

    /// <summary>The function base classes and interfaces that resolved in this compilation.</summary>
    public ImmutableArray<INamedTypeSymbol> FunctionTypes { get; }

    /// <summary>Resolves the types of <paramref name="compilation"/>; <see langword="null"/> when the runtime is not referenced.</summary>
    public static WellKnownTypes? Create(Compilation compilation)
    {
        var types = new WellKnownTypes(compilation);
        return types.DataStream is null || types.StreamEnvironment is null ? null : types;
    }

    /// <summary>Whether <paramref name="type"/> is one of the stream API types whose methods take user functions.</summary>
    public bool IsApiType(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
        {
            return false;
        }
        var definition = named.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(definition, DataStream)
            || SymbolEqualityComparer.Default.Equals(definition, KeyedStream)
            || SymbolEqualityComparer.Default.Equals(definition, ConnectedStreams)
            || SymbolEqualityComparer.Default.Equals(definition, KeyedConnectedStreams)
            || SymbolEqualityComparer.Default.Equals(definition, StreamEnvironment)
            || SymbolEqualityComparer.Default.Equals(definition, DataStreamSink);
    }

    /// <summary>Whether a method takes user functions: declared on a stream API type, or (for the time API that may
    /// come later) on any type of the <c>DataflowCompiler</c> namespaces.</summary>
    public bool IsApiMethod(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (IsApiType(type))
        {
            return true;
        }
        for (var ns = type?.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (ns.ContainingNamespace is { IsGlobalNamespace: true } && ns.Name == "DataflowCompiler")
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="type"/> is a stream: a <c>DataStream&lt;T&gt;</c> (or derived) or connected streams.</summary>
    public bool IsStreamType(ITypeSymbol? type)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            var definition = current.OriginalDefinition;
            if (SymbolEqualityComparer.Default.Equals(definition, DataStream)
                || SymbolEqualityComparer.Default.Equals(definition, ConnectedStreams)
                || SymbolEqualityComparer.Default.Equals(definition, KeyedConnectedStreams))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="type"/> derives from or implements one of the operator function types.</summary>
    public bool IsFunctionType(INamedTypeSymbol? type)
    {
        if (type is null || FunctionTypes.IsEmpty)
        {
            return false;
        }
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Contains(FunctionTypes, current.OriginalDefinition))
            {
                return true;
            }
        }
        foreach (var implemented in type.AllInterfaces)
        {
            if (Contains(FunctionTypes, implemented.OriginalDefinition))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="type"/> carries an attribute of class <paramref name="attribute"/>.</summary>
    public static bool HasAttribute(ISymbol type, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return false;
        }
        foreach (var data in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Contains(ImmutableArray<INamedTypeSymbol> types, ITypeSymbol type)
    {
        foreach (var candidate in types)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate, type))
            {
                return true;
            }
        }
        return false;
    }
}
