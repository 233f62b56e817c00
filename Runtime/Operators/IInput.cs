namespace DataflowCompiler.Operators;

/// <summary>One input of an operator: chained predecessors and network readers push records into it.</summary>
internal interface IInput<in T>
{
    void ProcessElement(T record);
}
