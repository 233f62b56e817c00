using DataflowCompiler.Checkpointing;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The keyed snapshot of a window that runs on a slice table: the table's snapshot and that of the binary keyed backend
/// a process window function keeps its state in, one after the other with their lengths. The interpreted
/// <see cref="SliceTableWindowOperator{TKey, TIn, TAcc, TOut}"/> and the fused window chain (<see cref="SliceTableKeyedState"/>)
/// write and read this one format, so a checkpoint moves between the two paths.
/// </summary>
internal static class SliceTableSnapshots
{
    private const int CompositeMagic = 0x43545753; // "SWTC"

    /// <summary>Splits each old subtask's composite snapshot into the table's part and the backend's.</summary>
    public static (List<IReadOnlyList<Func<Stream>>> Table, List<IReadOnlyList<Func<Stream>>> Backend) Split(
        string operatorName, IReadOnlyList<IReadOnlyList<Func<Stream>>> chains)
    {
        var tableChains = new List<IReadOnlyList<Func<Stream>>>();
        var backendChains = new List<IReadOnlyList<Func<Stream>>>();
        foreach (var chain in chains)
        {
            if (chain.Count == 0)
            {
                continue;
            }
            // Every snapshot of this operator is full: the last of a chain holds everything.
            using var stream = chain[^1]();
            using var reader = new BinaryReader(stream);
            if (reader.ReadInt32() != CompositeMagic)
            {
                throw new InvalidDataException($"operator '{operatorName}': the keyed snapshot is not one of a slice-table window operator (was the window changed?).");
            }
            byte[] table = reader.ReadBytes(checked((int)reader.ReadInt64()));
            byte[] backend = reader.ReadBytes(checked((int)reader.ReadInt64()));
            tableChains.Add([() => new MemoryStream(table, writable: false)]);
            backendChains.Add([() => new MemoryStream(backend, writable: false)]);
        }
        return (tableChains, backendChains);
    }

    /// <summary>The table's snapshot and the backend's, one after the other with their lengths.</summary>
    public sealed class Composite(IKeyedStateSnapshotWriter table, IKeyedStateSnapshotWriter backend) : IKeyedStateSnapshotWriter
    {
        public bool IsIncremental => false;

        public void WriteTo(Stream output)
        {
            // Assembled in memory and written once: the checkpoint file is finished by a flush.
            using var composite = new MemoryStream();
            using var part = new MemoryStream();
            composite.Write(BitConverter.GetBytes(CompositeMagic));
            foreach (var writer in new[] { table, backend })
            {
                part.SetLength(0);
                writer.WriteTo(part);
                composite.Write(BitConverter.GetBytes(part.Length));
                composite.Write(part.GetBuffer(), 0, checked((int)part.Length));
            }
            output.Write(composite.GetBuffer(), 0, checked((int)composite.Length));
        }

        public void Release()
        {
            table.Release();
            backend.Release();
        }
    }
}
