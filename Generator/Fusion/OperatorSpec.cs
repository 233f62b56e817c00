namespace DataflowCompiler.Generator.Fusion;

/// <summary>One operator of a chain: its kind (as in chain signatures), record types, fusion site and user code.</summary>
internal sealed record OperatorSpec
{
    public OperatorSpec(string kind, string inputType, string outputType, string site, FunctionSpec? function,
        string keyType, FunctionSpec? keySelector, string field, bool assignsTimestamps = false, string accumulatorType = "", bool flatState = false)
    {
        AccumulatorType = accumulatorType;
        AssignsTimestamps = assignsTimestamps;
        Kind = kind;
        InputType = inputType;
        OutputType = outputType;
        Site = site;
        Function = function;
        KeyType = keyType;
        KeySelector = keySelector;
        Field = field;
        FlatState = flatState;
    }

    /// <summary>Source, Map, Filter, FlatMap, Process, KeyedProcess, Reduce, Sum, Min, Max, TimestampsAndWatermarks, Window, Sink.</summary>
    public string Kind { get; }
    public string InputType { get; }
    public string OutputType { get; }
    public string Site { get; }

    /// <summary>The user function; for an operator that assigns timestamps, its strategy's timestamp assigner when the parser
    /// found it as an inline lambda (null: the fused loop asks the runtime strategy).</summary>
    public FunctionSpec? Function { get; }

    /// <summary>For keyed operators (Reduce, Sum, Min, Max, KeyedProcess, Window): the key type and the KeyBy selector; otherwise empty and null.</summary>
    public string KeyType { get; }
    public FunctionSpec? KeySelector { get; }

    /// <summary>For Sum/Min/Max: the field name, or empty for the record itself. For a source: "Sequence" when the
    /// source is <c>FromSequence</c>, which fuses into a struct cursor; empty for sources polled through their reader. For a
    /// Window: its function, "Aggregate" or "Reduce".</summary>
    public string Field { get; }

    /// <summary>For a Window: the slice accumulator type (the aggregate function's accumulator, or the record for a reduce).</summary>
    public string AccumulatorType { get; }

    /// <summary>
    /// For Reduce/Sum/Min/Max: the key type is unmanaged and the record type a non-nullable value type, so the rolling
    /// value can live in a <c>FlatValueState</c> (used when the backend's key serializer writes raw bytes).
    /// </summary>
    public bool FlatState { get; }

    public bool IsKeyed => KeySelector is not null;

    /// <summary>
    /// The operator gives records event-time timestamps and generates watermarks through a runtime watermark strategy:
    /// a source added with one (<c>FromSource(source, strategy, name)</c>) or <c>AssignTimestampsAndWatermarks</c>.
    /// </summary>
    public bool AssignsTimestamps { get; }
}
