using DataflowCompiler.Checkpointing.Storage;
using DataflowCompiler.Graph;
using DataflowCompiler.State;

namespace DataflowCompiler.Checkpointing;

/// <summary>
/// Maps the operators of a checkpoint or savepoint onto the operators of the job about to start (by operator id:
/// the uid, or the generated id) and hands every new subtask what it restores: the keyed-state chains of the old
/// subtasks whose key groups overlap its own (rescaling), and the sections of every old subtask. State of an
/// operator the job no longer has fails the start, unless the user allows dropping it; so do a keyed operator whose max
/// parallelism changed and a source whose parallelism changed.
/// </summary>
internal sealed class RestorePlan
{
    private readonly CheckpointMetadata _metadata;
    private readonly string _directory;
    private readonly Dictionary<string, OperatorStateMetadata> _operators;
    private readonly Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, byte[]>>> _sections = new();

    public RestorePlan(JobGraph job, CheckpointMetadata metadata, string directory, bool allowNonRestoredState)
    {
        _metadata = metadata;
        _directory = directory;
        _operators = metadata.Operators.ToDictionary(o => o.OperatorId, StringComparer.Ordinal);
        var nodes = job.Vertices.SelectMany(v => v.Operators).ToDictionary(OperatorIds.Of, StringComparer.Ordinal);
        var unmapped = metadata.Operators.Where(o => !nodes.ContainsKey(o.OperatorId) && HasState(o)).ToList();
        if (unmapped.Count > 0 && !allowNonRestoredState)
        {
            throw new CheckpointException(
                $"the {(metadata.Kind == CheckpointKind.Savepoint ? "savepoint" : "checkpoint")} in '{directory}' holds state of " +
                string.Join(", ", unmapped.Select(o => $"operator '{o.Name}' (id '{o.OperatorId}')")) +
                " that no operator of this job has. Give the operators the uids they had, or set SavepointRestoreSettings.AllowNonRestoredState to drop that state.");
        }
        foreach (var (id, node) in nodes)
        {
            if (_operators.TryGetValue(id, out var old) && old.MaxParallelism != node.ResolvedMaxParallelism
                && old.Subtasks.Any(s => s.KeyedState.Count > 0))
            {
                throw new CheckpointException(
                    $"operator {node.Description} had max parallelism {old.MaxParallelism} in '{directory}' and now has {node.ResolvedMaxParallelism}; " +
                    "keyed state is split into max-parallelism key groups, so it restores only with the same max parallelism. Set SetMaxParallelism to " +
                    $"{old.MaxParallelism}.");
            }
            // Checked here rather than when the source opens its reader: a task failure would restart the job, and every
            // restart would fail the same way.
            if (node.IsSource && _operators.TryGetValue(id, out old) && old.Parallelism != node.ResolvedParallelism && HasState(old))
            {
                throw new CheckpointException(
                    $"source {node.Description} ran with parallelism {old.Parallelism} in '{directory}' and now has {node.ResolvedParallelism}; " +
                    "a source's read positions belong to its subtasks, so a source restores only at the parallelism it was snapshotted with. " +
                    $"Set its parallelism to {old.Parallelism}.");
            }
        }
    }

    public long CheckpointId => _metadata.CheckpointId;

    /// <summary>What the operators of subtask <paramref name="subtask"/> of <paramref name="vertex"/> restore, by operator id.</summary>
    public IReadOnlyDictionary<string, OperatorRestoreState> For(JobVertex vertex, int subtask)
    {
        var result = new Dictionary<string, OperatorRestoreState>(StringComparer.Ordinal);
        foreach (var node in vertex.Operators)
        {
            string id = OperatorIds.Of(node);
            if (!_operators.TryGetValue(id, out var old))
            {
                continue;
            }
            var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(node.ResolvedMaxParallelism, node.ResolvedParallelism, subtask);
            var chains = old.Subtasks
                .Where(s => s.KeyedState.Count > 0 && Overlaps(s.KeyGroups, range))
                .Select(s => (IReadOnlyList<Func<Stream>>)s.KeyedState.Select(Opener).ToList())
                .ToList();
            var sections = SectionsOf(old);
            if (old.Parallelism != node.ResolvedParallelism
                && sections.Any(s => s.ContainsKey(ChannelState.InputSection) || s.ContainsKey(ChannelState.OutputSection)))
            {
                throw new CheckpointException(
                    $"operator {node.Description} ran with parallelism {old.Parallelism} in the unaligned checkpoint in '{_directory}' and now has " +
                    $"{node.ResolvedParallelism}; the in-flight data of an unaligned checkpoint belongs to its channels, so it restores only at the same " +
                    "parallelism. Restore at the old parallelism, or rescale from a savepoint (savepoints are always aligned).");
            }
            result[id] = new OperatorRestoreState
            {
                CheckpointId = _metadata.CheckpointId,
                KeyedChains = chains,
                Sections = sections,
            };
        }
        return result;
    }

    private IReadOnlyList<IReadOnlyDictionary<string, byte[]>> SectionsOf(OperatorStateMetadata old)
    {
        lock (_sections)
        {
            if (_sections.TryGetValue(old.OperatorId, out var cached))
            {
                return cached;
            }
            var sections = new IReadOnlyDictionary<string, byte[]>[old.Parallelism];
            for (int i = 0; i < sections.Length; i++)
            {
                sections[i] = new Dictionary<string, byte[]>();
            }
            foreach (var subtask in old.Subtasks)
            {
                if (subtask.OperatorState is { } handle && subtask.Subtask < sections.Length)
                {
                    string path = Resolve(handle);
                    using var stream = new SnapshotFileReader(path, handle.Size);
                    sections[subtask.Subtask] = SnapshotSections.Read(stream, path);
                    stream.ReadToEndAndVerify();
                }
            }
            _sections[old.OperatorId] = sections;
            return sections;
        }
    }

    private Func<Stream> Opener(StateFileHandle handle)
    {
        string path = Resolve(handle);
        return () => new SnapshotFileReader(path, handle.Size);
    }

    private string Resolve(StateFileHandle handle) => CheckpointStorage.ResolvePath(_directory, handle);

    private static bool HasState(OperatorStateMetadata o) => o.Subtasks.Any(s => s.KeyedState.Count > 0 || s.OperatorState is not null);

    private static bool Overlaps(KeyGroupRange a, KeyGroupRange b) => a.StartKeyGroup <= b.EndKeyGroup && b.StartKeyGroup <= a.EndKeyGroup;
}
