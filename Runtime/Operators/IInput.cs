namespace DataflowCompiler.Operators;

/// <summary>One input of an operator: chained predecessors and network readers push records (and watermarks) into it.</summary>
internal interface IInput<in T> : IWatermarkInput
{
    void ProcessElement(T record);
}
