using DataflowCompiler.Generator.Fusion;
using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Generator;

/// <summary>Entry point of the incremental generator; the pipeline wires parser and emitter steps.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class DataflowJobGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the step that turns each [DataflowJob] class into its model.</summary>
    public const string FusionJobsStep = "FusionJobs";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var jobs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Serialization.KnownNames.DataflowJobAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                FusionParser.Parse)
            .Where(static job => job is not null)
            .WithTrackingName(FusionJobsStep);

        context.RegisterSourceOutput(jobs, static (output, job) => output.AddSource(FusionEmitter.HintName(job!), FusionEmitter.Emit(job!)));
    }
}
