using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Analyzers;

/// <summary>The DFC diagnostics; each id has a section in <c>docs/diagnostics.md</c>.</summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The category every DFC diagnostic is filed under.</summary>
    public const string Category = "DataflowCompiler";

    // The repository has no published address yet, so the link is relative to the repository root.
    private const string HelpBase = "docs/diagnostics.md#";

    /// <summary>DFC0001: a chain in a job class cannot be fused; it runs interpreted.</summary>
    public static readonly DiagnosticDescriptor ChainNotFusable = Create(
        "DFC0001",
        "Chain cannot be fused",
        "{0} at line {1}: {2}; the chain runs interpreted",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0002: a function passed to the DataStream API captures mutable state.</summary>
    public static readonly DiagnosticDescriptor CapturesMutableState = Create(
        "DFC0002",
        "Function captures mutable state",
        "The function passed to {0} captures mutable {1} `{2}`; keep state in state primitives (ValueState, ListState, …) so it is partitioned by key and checkpointed",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0003: a key type has no deterministic serializer and hash.</summary>
    public static readonly DiagnosticDescriptor KeyTypeNotDeterministic = Create(
        "DFC0003",
        "Key type has no deterministic serializer and hash",
        "Key type `{0}` of {1} has no deterministic serializer and hash: {2}",
        DiagnosticSeverity.Error);

    /// <summary>DFC0004: a key selector or timestamp assigner is not deterministic.</summary>
    public static readonly DiagnosticDescriptor NonDeterministicFunction = Create(
        "DFC0004",
        "Non-deterministic key selector or timestamp assigner",
        "The {0} passed to {1} uses `{2}`, which is not deterministic; derive keys and timestamps from the record only",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0005: a blocking call inside operator code.</summary>
    public static readonly DiagnosticDescriptor BlockingCall = Create(
        "DFC0005",
        "Blocking call inside an operator",
        "`{0}` blocks the task thread inside {1}; operators must not block (use timers, async sources or sinks instead)",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0006: a record type cannot be serialized.</summary>
    public static readonly DiagnosticDescriptor RecordNotSerializable = Create(
        "DFC0006",
        "Record type cannot be serialized",
        "Record type `{0}` cannot be serialized: {1}",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0007: a stream is built but never reaches a sink.</summary>
    public static readonly DiagnosticDescriptor StreamNeverSunk = Create(
        "DFC0007",
        "Stream never reaches a sink",
        "The stream {0} is never consumed: add a sink (SinkTo, Print, WriteAsText, CollectToList) or a further transformation, or remove it",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0008: a job class is not a static partial class.</summary>
    public static readonly DiagnosticDescriptor JobClassNotStaticPartial = Create(
        "DFC0008",
        "Job class must be a static partial class",
        "Job class `{0}` must be declared `static partial` (missing: {1}); the generator cannot add its fused chains and the job runs interpreted",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0009: a job class has no Define method.</summary>
    public static readonly DiagnosticDescriptor JobClassWithoutDefine = Create(
        "DFC0009",
        "Job class has no Define method",
        "Job class `{0}` has no `public static void Define(StreamEnvironment env)`; nothing in it can be fused",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0010: a key type whose equal values can have different bytes.</summary>
    public static readonly DiagnosticDescriptor InexactKeyType = Create(
        "DFC0010",
        "Key type has equal values with different bytes",
        "Key type `{0}` of {1} contains `{2}`, whose equal values can serialize differently ({3}); equal keys may land in different key groups",
        DiagnosticSeverity.Warning);

    /// <summary>DFC0011: a lambda in a job class captures nothing and can be made static.</summary>
    public static readonly DiagnosticDescriptor LambdaCanBeStatic = Create(
        "DFC0011",
        "Lambda can be static",
        "The lambda passed to {0} captures nothing; make it `static` so it stays fusable",
        DiagnosticSeverity.Info);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
