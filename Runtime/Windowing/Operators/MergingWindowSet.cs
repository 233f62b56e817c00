using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>Called when windows merge: merge their state and timers (Flink's MergingWindowSet.MergeFunction).</summary>
internal interface IMergeFunction<W>
{
    /// <param name="mergeResult">The window that replaces <paramref name="mergedWindows"/>.</param>
    /// <param name="mergedWindows">The windows that disappear (the new window is not among them).</param>
    /// <param name="stateWindowResult">The state window the merge result keeps its state in.</param>
    /// <param name="mergedStateWindows">The state windows whose state must move into <paramref name="stateWindowResult"/>.</param>
    void Merge(W mergeResult, IReadOnlyCollection<W> mergedWindows, W stateWindowResult, IReadOnlyCollection<W> mergedStateWindows);
}

/// <summary>
/// The in-flight windows of the current key of a merging (session) window operator, each mapped to the window
/// its state is kept under (Flink's MergingWindowSet). A merged window keeps the state window of one of the
/// windows it replaced, so merging moves the state of the others only. The mapping is persisted in list state
/// (window, state window, window, state window, …) in the key's default namespace.
/// </summary>
internal sealed class MergingWindowSet<W>
    where W : IWindow
{
    private readonly MergingWindowAssigner<W> _assigner;
    private readonly IListState<W> _state;
    private readonly IInternalKeyedState _internalState;
    private readonly Dictionary<W, W> _mapping = [];
    private readonly List<(W Result, List<W> Merged)> _mergeResults = [];
    private bool _dirty;

    public MergingWindowSet(MergingWindowAssigner<W> assigner, IListState<W> state)
    {
        _assigner = assigner;
        _state = state;
        _internalState = (IInternalKeyedState)state;
    }

    /// <summary>Reads the mapping of the backend's current key.</summary>
    public void Load()
    {
        _mapping.Clear();
        _dirty = false;
        _internalState.ResetNamespace();
        var flat = _state.Get();
        for (int i = 0; i + 1 < flat.Count; i += 2)
        {
            _mapping[flat[i]] = flat[i + 1];
        }
    }

    /// <summary>Writes the mapping back if it changed (and removes it when no window is left).</summary>
    public void Persist()
    {
        if (!_dirty)
        {
            return;
        }
        _internalState.ResetNamespace();
        if (_mapping.Count == 0)
        {
            _state.Clear();
        }
        else
        {
            var flat = new List<W>(_mapping.Count * 2);
            foreach (var (window, stateWindow) in _mapping)
            {
                flat.Add(window);
                flat.Add(stateWindow);
            }
            _state.Update(flat);
        }
        _dirty = false;
    }

    /// <summary>The window whose namespace holds <paramref name="window"/>'s state; false when the window is not in flight.</summary>
    public bool TryGetStateWindow(W window, out W stateWindow) => _mapping.TryGetValue(window, out stateWindow!);

    /// <summary>Removes a window (fired and cleaned, or late on arrival).</summary>
    public void RetireWindow(W window)
    {
        if (!_mapping.Remove(window))
        {
            throw new InvalidOperationException($"Window {window} is not in the in-flight window set.");
        }
        _dirty = true;
    }

    /// <summary>
    /// Adds <paramref name="newWindow"/>, merging it with in-flight windows as the assigner says, and returns the
    /// window it ended up in (itself or a merge result). <paramref name="mergeFunction"/> is called for every merge
    /// before the mapping is updated for the next one.
    /// </summary>
    public W AddWindow(W newWindow, IMergeFunction<W> mergeFunction)
    {
        var windows = new List<W>(_mapping.Count + 1);
        windows.AddRange(_mapping.Keys);
        windows.Add(newWindow);
        _mergeResults.Clear();
        _assigner.MergeWindows(windows, (merged, result) => _mergeResults.Add((result, new List<W>(merged))));

        var resultWindow = newWindow;
        bool mergedNewWindow = false;
        var comparer = EqualityComparer<W>.Default;
        foreach (var (mergeResult, mergedWindows) in _mergeResults)
        {
            if (mergedWindows.Remove(newWindow))
            {
                mergedNewWindow = true;
                resultWindow = mergeResult;
            }
            if (mergedWindows.Count == 0)
            {
                continue;
            }
            // The merge result keeps the state window of the first merged window; the others' state moves into it.
            var stateWindowResult = _mapping[mergedWindows[0]];
            var mergedStateWindows = new List<W>(mergedWindows.Count);
            foreach (var merged in mergedWindows)
            {
                if (_mapping.Remove(merged, out var stateWindow))
                {
                    mergedStateWindows.Add(stateWindow);
                }
            }
            _mapping[mergeResult] = stateWindowResult;
            mergedStateWindows.Remove(stateWindowResult);
            _dirty = true;
            if (!(mergedWindows.Count == 1 && comparer.Equals(mergedWindows[0], mergeResult)))
            {
                mergeFunction.Merge(mergeResult, mergedWindows, stateWindowResult, mergedStateWindows);
            }
        }
        if (_mergeResults.Count == 0 || (comparer.Equals(resultWindow, newWindow) && !mergedNewWindow))
        {
            _mapping[resultWindow] = resultWindow;
            _dirty = true;
        }
        return resultWindow;
    }
}
