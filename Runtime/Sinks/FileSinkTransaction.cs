using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Sinks;

/// <summary>
/// A transaction of a <see cref="TransactionalFileSink{T}"/>: the in-progress file <c>.part-{Subtask}-{Sequence}.inprogress</c>
/// that becomes <c>part-{Subtask}-{Sequence}</c> when committed.
/// </summary>
public sealed class FileSinkTransaction
{
    /// <summary>Writes the handle into operator state: subtask, sequence and length.</summary>
    internal static readonly IRecordSerializer<FileSinkTransaction> Serializer = RecordSerializer.Create<FileSinkTransaction>(
        static (t, output) =>
        {
            output.WriteInt32(t.Subtask);
            output.WriteInt64(t.Sequence);
            output.WriteInt64(t.Length);
        },
        static (ref DataInputView input) => new FileSinkTransaction(input.ReadInt32(), input.ReadInt64()) { Length = input.ReadInt64() });

    internal FileSinkTransaction(int subtask, long sequence)
    {
        Subtask = subtask;
        Sequence = sequence;
    }

    /// <summary>The subtask that wrote the transaction.</summary>
    public int Subtask { get; }

    /// <summary>The transaction's id, unique per subtask and growing: the order of the committed part files.</summary>
    public long Sequence { get; }

    /// <summary>Bytes in the file when it was pre-committed; -1 while the transaction is open.</summary>
    public long Length { get; internal set; } = -1;

    /// <summary>The in-progress file's name.</summary>
    public string InProgressName => $".part-{Subtask}-{Sequence}.inprogress";

    /// <summary>The committed file's name.</summary>
    public string CommittedName => $"part-{Subtask}-{Sequence}";

    /// <inheritdoc/>
    public override string ToString() => $"{CommittedName} ({(Length < 0 ? "open" : $"{Length} bytes")})";
}
