namespace DataflowCompiler.State;

/// <summary>
/// Assigns the operator state of the old subtasks to the subtasks of a restore, possibly at another parallelism
/// (Flink's <c>RoundRobinOperatorStateRepartitioner</c>). Works on serialized elements only.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Split lists: at the same parallelism every subtask keeps its own elements. Otherwise the lists of all old
/// subtasks are concatenated in subtask order and cut into contiguous parts of ⌊n/q⌋ or ⌈n/q⌉ elements; which
/// subtasks get the larger parts rotates from one state to the next (states in name order), so a subtask is not
/// always the one that gets more.</item>
/// <item>Union lists: every new subtask gets the concatenation of all old subtasks' elements.</item>
/// <item>Broadcast state: new subtask i gets old subtask (i mod old parallelism)'s copy.</item>
/// </list>
/// A state that a new subtask gets no element of is still present (empty), so the function sees it as restored.
/// </remarks>
internal static class OperatorStateRedistributor
{
    /// <param name="oldSubtasks">The snapshot of every old subtask, by subtask index.</param>
    /// <param name="newParallelism">The parallelism to restore at.</param>
    /// <returns>The data each new subtask restores, by subtask index.</returns>
    /// <exception cref="InvalidOperationException">Old subtasks disagree on a state's mode.</exception>
    public static IReadOnlyList<OperatorStateSnapshotData> Redistribute(IReadOnlyList<OperatorStateSnapshotData> oldSubtasks, int newParallelism)
    {
        ArgumentNullException.ThrowIfNull(oldSubtasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(newParallelism, 1);
        if (oldSubtasks.Count == 0)
        {
            throw new ArgumentException("There must be at least one old subtask.", nameof(oldSubtasks));
        }

        // Per state: its mode and each old subtask's elements (null where the subtask did not have it).
        var byName = new SortedDictionary<string, (OperatorStateMode Mode, IReadOnlyList<byte[]>?[] PerSubtask)>(StringComparer.Ordinal);
        for (int subtask = 0; subtask < oldSubtasks.Count; subtask++)
        {
            foreach (var state in oldSubtasks[subtask].States)
            {
                if (!byName.TryGetValue(state.Name, out var entry))
                {
                    entry = (state.Mode, new IReadOnlyList<byte[]>?[oldSubtasks.Count]);
                    byName.Add(state.Name, entry);
                }
                else if (entry.Mode != state.Mode)
                {
                    throw new InvalidOperationException(
                        $"Operator state '{state.Name}' is {Describe(entry.Mode)} in one old subtask and {Describe(state.Mode)} in subtask {subtask}; the snapshot cannot be redistributed.");
                }
                entry.PerSubtask[subtask] = state.Elements;
            }
        }

        var result = new List<NamedOperatorState>[newParallelism];
        for (int i = 0; i < newParallelism; i++)
        {
            result[i] = [];
        }

        int startSubtask = 0; // where the larger parts of the next split state begin
        foreach (var (name, (mode, perSubtask)) in byName)
        {
            switch (mode)
            {
                case OperatorStateMode.Split when newParallelism == oldSubtasks.Count:
                    for (int i = 0; i < newParallelism; i++)
                    {
                        result[i].Add(new NamedOperatorState(name, mode, perSubtask[i] ?? []));
                    }
                    break;
                case OperatorStateMode.Split:
                    startSubtask = Split(name, Concatenate(perSubtask), result, startSubtask);
                    break;
                case OperatorStateMode.Union:
                    var all = Concatenate(perSubtask);
                    foreach (var part in result)
                    {
                        part.Add(new NamedOperatorState(name, mode, all));
                    }
                    break;
                default:
                    for (int i = 0; i < newParallelism; i++)
                    {
                        result[i].Add(new NamedOperatorState(name, mode, perSubtask[i % oldSubtasks.Count] ?? []));
                    }
                    break;
            }
        }
        return result.Select(static states => new OperatorStateSnapshotData(states)).ToArray();
    }

    /// <returns>The subtask where the next split state's larger parts begin.</returns>
    private static int Split(string name, byte[][] elements, List<NamedOperatorState>[] result, int startSubtask)
    {
        int parallelism = result.Length;
        int baseSize = elements.Length / parallelism;
        int larger = elements.Length % parallelism;
        int offset = 0;
        for (int k = 0; k < parallelism; k++)
        {
            int subtask = (startSubtask + k) % parallelism;
            int size = baseSize + (k < larger ? 1 : 0);
            result[subtask].Add(new NamedOperatorState(name, OperatorStateMode.Split, elements[offset..(offset + size)]));
            offset += size;
        }
        return (startSubtask + larger) % parallelism;
    }

    private static byte[][] Concatenate(IReadOnlyList<byte[]>?[] perSubtask) =>
        perSubtask.Where(static e => e is not null).SelectMany(static e => e!).ToArray();

    internal static string Describe(OperatorStateMode mode) => mode switch
    {
        OperatorStateMode.Split => "list state",
        OperatorStateMode.Union => "union list state",
        _ => "broadcast state",
    };
}
