using DataflowCompiler.State;

namespace DataflowCompiler.Operators;

/// <summary>Rolling reduce on a keyed stream (also Sum/Min/Max/MinBy/MaxBy): emits the new aggregate for every record.</summary>
internal sealed class StreamGroupedReduce<TKey, T>(Func<T, T, T> reduce, Func<T, TKey> keySelector, object? function)
    : KeyedOneInputOperator<TKey, T, T>(keySelector)
{
    private IValueState<T> _state = null!;

    protected override object? UserFunction => function;

    public override void Open()
    {
        base.Open();
        _state = Backend.GetValueState(new ValueStateDescriptor<T>("_op_state"));
    }

    protected override void ProcessKeyed(T record)
    {
        T value = _state.HasValue ? reduce(_state.Value(), record) : record;
        _state.Update(value);
        Output.Collect(value);
    }
}
