namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// Reference counts of the files in <c>shared/</c>: one reference per retained checkpoint whose metadata names the
/// file. Not thread-safe on its own; <see cref="CompletedCheckpointStore"/> guards it with its lock.
/// </summary>
internal sealed class SharedStateRegistry
{
    private readonly Dictionary<string, int> _references = new(StringComparer.Ordinal);

    /// <summary>The number of files with at least one reference.</summary>
    public int Count => _references.Count;

    /// <summary>How many retained checkpoints reference <paramref name="path"/> (a full path).</summary>
    public int ReferenceCount(string path) => _references.GetValueOrDefault(path);

    /// <summary>Adds one reference to each of <paramref name="paths"/> (distinct full paths of one checkpoint).</summary>
    public void Register(IEnumerable<string> paths)
    {
        foreach (string path in paths)
            _references[path] = _references.GetValueOrDefault(path) + 1;
    }

    /// <summary>
    /// Drops one reference from each of <paramref name="paths"/> (distinct full paths of one checkpoint) and returns
    /// the files no checkpoint references any more, which the caller deletes.
    /// </summary>
    public List<string> Unregister(IEnumerable<string> paths)
    {
        var unreferenced = new List<string>();
        foreach (string path in paths)
        {
            if (!_references.TryGetValue(path, out int count))
                throw new InvalidOperationException($"The shared state file '{path}' was released more often than it was registered.");
            if (count == 1)
            {
                _references.Remove(path);
                unreferenced.Add(path);
            }
            else
            {
                _references[path] = count - 1;
            }
        }

        return unreferenced;
    }
}
