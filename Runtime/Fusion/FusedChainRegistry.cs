using System.Collections.Concurrent;
using System.ComponentModel;
using DataflowCompiler.Graph;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The fused chains of the loaded assemblies, keyed by chain signature plus the fusion sites of the chain's
/// operators (docs/fusion.md). Generated module initializers register them; the job master looks a job
/// vertex up here and runs the fused chain when one matches, the interpreted operators otherwise, and logs why.
/// </summary>
public static class FusedChainRegistry
{
    private static readonly ConcurrentDictionary<string, Func<FusedChain>> Chains = new(StringComparer.Ordinal);

    /// <summary>Registers the factory of a fused chain (called from generated module initializers).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(string key, Func<FusedChain> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(factory);
        Chains[key] = factory;
    }

    /// <summary>The key of a job vertex: its signature, " @ ", then the fusion site of each operator in chain order ("-" for none).</summary>
    internal static string KeyOf(JobVertex vertex) =>
        vertex.Signature + " @ " + string.Join(" ", vertex.Operators.Select(o => o.FusionSite ?? "-"));

    /// <summary>The fused chain factory for <paramref name="vertex"/>, or null to run it interpreted; logs the decision and its reason.</summary>
    internal static Func<FusedChain>? Resolve(JobVertex vertex, StreamConfiguration configuration)
    {
        var log = configuration.FusionLog ?? (static message => System.Diagnostics.Trace.WriteLine(message, "DataflowCompiler.Fusion"));
        if (configuration.Fusion == FusionMode.Disabled)
        {
            log($"Chain '{vertex.Name}' runs interpreted: fusion is disabled (StreamConfiguration.Fusion).");
            return null;
        }
        if (vertex.Operators.FirstOrDefault(o => o.FusionSite is null && o.Kind == "Window") is { } window)
        {
            log($"Chain '{vertex.Name}' runs interpreted: operator {window.Description} is a window, which the fusion generator does not compile " +
                "(only KeyBy(...).Window(event-time tumbling or sliding assigner).Aggregate/Reduce(...) without trigger, evictor, allowed lateness, " +
                "late-data side output or process window function fuses; the generated file says why this one did not; the chains before the KeyBy " +
                "that feeds a keyed window still fuse).");
            return null;
        }
        // A window the generator compiled runs fused only where the interpreted path would run it on a slice table (and without a
        // late-data side output): settings made at run time (an assigner from a field, a key serializer) decide here.
        if (vertex.Operators.FirstOrDefault(o => o.FusionSite is not null && o.FusionWindow?.Refusal is not null) is { } unfusable)
        {
            log($"Chain '{vertex.Name}' runs interpreted: the window operator {unfusable.Description} cannot run fused: {unfusable.FusionWindow!.Refusal} " +
                "(fused windows are event-time tumbling or sliding windows with the default trigger, no evictor, no allowed lateness, no late-data side output, on raw-byte keys).");
            return null;
        }
        if (vertex.Operators.FirstOrDefault(o => o.FusionSite is null) is { } plain)
        {
            log($"Chain '{vertex.Name}' runs interpreted: operator {plain.Description} was not compiled by the fusion generator " +
                "(it is not in a [DataflowJob] Define method, or its chain breaks a fusion rule; the analyzer's DFC0001 says which).");
            return null;
        }
        // Records carrying timestamps fuse (the chain keeps the task's record timestamp; sources with a strategy and
        // AssignTimestampsAndWatermarks run their strategy; keyed windows give results their window's max timestamp); other
        // operators that assign timestamps are not fused.
        if (vertex.Operators.FirstOrDefault(o => o.AssignsTimestamps && o.Kind is not ("Source" or "TimestampsAndWatermarks") && o.FusionWindow is null) is { } timed)
        {
            log($"Chain '{vertex.Name}' runs interpreted: operator {timed.Description} assigns event-time timestamps of its own, which fused chains do not do yet.");
            return null;
        }
        if (vertex.Operators.FirstOrDefault(o => o.FusionState is { } function && HandlesTimers(function)) is { } timers)
        {
            log($"Chain '{vertex.Name}' runs interpreted: the function of operator {timers.Description} handles timers (overrides OnTimer), which fused chains do not run yet.");
            return null;
        }
        string key = KeyOf(vertex);
        if (!Chains.TryGetValue(key, out var factory))
        {
            log($"Chain '{vertex.Name}' runs interpreted: no fused implementation has the key '{key}'. The chain the job built differs from the one " +
                "the generator compiled (chaining, parallelism or partitioning changed at run time).");
            return null;
        }
        log($"Chain '{vertex.Name}' runs fused ({factory.Method.DeclaringType?.FullName ?? "generated"}).");
        return factory;
    }

    private static bool HandlesTimers(object function)
    {
        var onTimer = function.GetType().GetMethod("OnTimer", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public);
        return onTimer is not null && onTimer.DeclaringType is { IsGenericType: false } || onTimer?.DeclaringType?.GetGenericTypeDefinition() is { } definition
            && definition != typeof(Functions.KeyedProcessFunction<,,>) && definition != typeof(Functions.CoProcessFunction<,,>);
    }

    /// <summary>The task's head operator running the fused chain of one subtask.</summary>
    internal static FusedChainOperator CreateOperator(Func<FusedChain> factory, FusedChainContext context, JobVertex vertex) =>
        FusedChainOperator.Create(factory(), context, vertex.Head.IsSource);
}
