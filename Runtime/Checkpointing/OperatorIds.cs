using DataflowCompiler.Graph;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// How checkpoints and savepoints name an operator: its <c>Uid</c> when the user set one, otherwise an id from its
/// position and kind in the job graph, which stays the same only while the program defines the same operators in
/// the same order (set a uid on every stateful operator to evolve a program across savepoints).
/// </summary>
internal static class OperatorIds
{
    public static string Of(StreamNode node) => node.Uid ?? $"auto:{node.Id}:{node.Kind}";
}
