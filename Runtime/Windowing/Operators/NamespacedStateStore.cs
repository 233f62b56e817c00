using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// Hands out the backend's keyed state scoped to the current key and <see cref="Window"/> (per-window state of
/// triggers and process window functions), or to the key only when <see cref="IsGlobal"/> (a process window
/// function's global state). State objects are shared per name, so each call re-scopes the returned object.
/// </summary>
internal sealed class NamespacedStateStore<W>(IKeyedStateStore backend, IRecordSerializer<W> windowSerializer, bool isGlobal) : IKeyedStateStore
    where W : IWindow
{
    public W Window { get; set; } = default!;

    public bool IsGlobal => isGlobal;

    public IValueState<T> GetValueState<T>(ValueStateDescriptor<T> descriptor) => Scope(backend.GetValueState(descriptor));

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => Scope(backend.GetListState(descriptor));

    public IMapState<TUK, TUV> GetMapState<TUK, TUV>(MapStateDescriptor<TUK, TUV> descriptor) => Scope(backend.GetMapState(descriptor));

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => Scope(backend.GetReducingState(descriptor));

    public IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor) =>
        Scope(backend.GetAggregatingState(descriptor));

    private TState Scope<TState>(TState state)
    {
        var internalState = (IInternalKeyedState)state!;
        if (isGlobal)
        {
            internalState.ResetNamespace();
        }
        else
        {
            internalState.SetCurrentNamespace(Window, windowSerializer);
        }
        return state;
    }
}
