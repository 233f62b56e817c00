namespace DataflowCompiler.State;

/// <summary>Hands out keyed state objects, scoped to the current key; the same name always gives the same state object. Implemented by keyed state backends.</summary>
public interface IKeyedStateStore
{
    IValueState<T> GetValueState<T>(ValueStateDescriptor<T> descriptor);
    IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor);
    IMapState<TUK, TUV> GetMapState<TUK, TUV>(MapStateDescriptor<TUK, TUV> descriptor);
    IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor);
    IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor);
}
