namespace DataflowCompiler.Operators;

/// <summary>Where an operator's records go: the next chained operator, a record writer, or several of these.</summary>
internal interface IOutput<in T> : IEventOutput
{
    void Collect(T record);
}
