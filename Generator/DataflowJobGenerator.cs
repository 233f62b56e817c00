using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Generator;

/// <summary>Entry point of the incremental generator; the pipeline wires parser and emitter steps.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class DataflowJobGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
