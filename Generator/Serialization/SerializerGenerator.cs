using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DataflowCompiler.Generator.Serialization;

/// <summary>
/// Generates an <c>IRecordSerializer&lt;T&gt;</c> for every type marked <c>[DataflowSerializable]</c> (on the type, or
/// named by an assembly-level attribute) and every user type used as a stream's record or key type inside a
/// <c>[DataflowJob]</c> class, with the user types their members contain. Each serializer registers itself with
/// <c>SerializerRegistry.RegisterGenerated</c> from a module initializer. Unsupported types get nothing; the
/// analyzers report them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SerializerGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incremental tests.</summary>
    internal static class Steps
    {
        public const string AttributeTargets = "DataflowSerializable.AttributeTargets";
        public const string JobTypes = "DataflowSerializable.JobTypes";
        public const string Types = "DataflowSerializable.Types";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var annotated = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.DataflowSerializableAttribute,
                static (node, _) => node is TypeDeclarationSyntax or CompilationUnitSyntax,
                SerializerParser.ParseAttributeTarget)
            .WithTrackingName(Steps.AttributeTargets);

        var jobs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.DataflowJobAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                SerializerParser.ParseJob)
            .WithTrackingName(Steps.JobTypes);

        var types = annotated.Collect()
            .Combine(jobs.Collect())
            .SelectMany(static (all, _) => Distinct(all.Left, all.Right))
            .WithTrackingName(Steps.Types);

        context.RegisterSourceOutput(types, static (output, spec) => output.AddSource(spec.HintName, SerializerEmitter.Emit(spec)));
    }

    /// <summary>One spec per type, ordered by name so unrelated edits keep every item in place.</summary>
    private static ImmutableArray<SerializableTypeSpec> Distinct(
        ImmutableArray<EquatableArray<SerializableTypeSpec>> annotated, ImmutableArray<EquatableArray<SerializableTypeSpec>> jobs)
    {
        var byName = new SortedDictionary<string, SerializableTypeSpec>(StringComparer.Ordinal);
        foreach (var spec in annotated.Concat(jobs).SelectMany(specs => specs))
        {
            if (!byName.ContainsKey(spec.FullyQualifiedName))
            {
                byName.Add(spec.FullyQualifiedName, spec);
            }
        }
        return byName.Values.ToImmutableArray();
    }
}
