using DataflowCompiler.State;

namespace DataflowCompiler.Operators;

/// <summary>Rolling reduce on a keyed stream (also Sum/Min/Max/MinBy/MaxBy): emits the new aggregate for every record.</summary>
internal sealed class StreamGroupedReduce<TKey, T>(Func<T, T, T> reduce, Func<T, TKey> keySelector, object? function)
    : KeyedOneInputOperator<TKey, T, T>(keySelector)
{
    private InPlaceValueState<T> _state = null!;

    protected override object? UserFunction => function;

    public override void Open()
    {
        base.Open();
        // One probe per record: the read remembers where the key's entry is and the update writes there.
        _state = Backend.GetInPlaceValueState(new ValueStateDescriptor<T>("_op_state"));
    }

    protected override void ProcessKeyed(T record)
    {
        T value = _state.TryGetValue(out var accumulated) ? reduce(accumulated, record) : record;
        _state.Update(value);
        Output.Collect(value);
    }
}
