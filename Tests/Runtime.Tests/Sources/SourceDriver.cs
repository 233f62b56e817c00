using DataflowCompiler.Sources;

namespace DataflowCompiler.Runtime.Tests.Sources;

/// <summary>Polls readers the way the mailbox loop does: poll, and on NothingAvailable wait for the signal.</summary>
internal static class SourceDriver
{
    /// <summary>Only bounds a hang; nothing here depends on it for correctness.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static List<T> ReadAll<T>(ISource<T> source, int subtaskIndex = 0, int parallelism = 1)
    {
        using var signal = new SemaphoreSlim(0);
        using var reader = source.CreateReader(Context(signal, subtaskIndex, parallelism));
        return Drain(reader, signal);
    }

    public static SourceReaderContext Context(SemaphoreSlim signal, int subtaskIndex = 0, int parallelism = 1, CancellationToken cancellation = default) =>
        new(subtaskIndex, parallelism, "test-source", () => signal.Release(), cancellation);

    public static SourceReaderContext Context(int subtaskIndex = 0, int parallelism = 1) =>
        new(subtaskIndex, parallelism, "test-source", () => { }, CancellationToken.None);

    /// <summary>Polls until end of input, or until <paramref name="max"/> records were read.</summary>
    public static List<T> Drain<T>(ISourceReader<T> reader, SemaphoreSlim signal, int max = int.MaxValue)
    {
        var records = new List<T>();
        while (records.Count < max)
        {
            switch (reader.PollNext(out T record))
            {
                case ReadStatus.Record:
                    records.Add(record);
                    break;
                case ReadStatus.NothingAvailable:
                    if (!signal.Wait(Timeout))
                        throw new TimeoutException($"The reader returned NothingAvailable and did not signal within {Timeout} ({records.Count} records so far).");
                    break;
                case ReadStatus.EndOfInput:
                    return records;
            }
        }

        return records;
    }

    /// <summary>Polls a reader that has data ready without waiting, exactly <paramref name="count"/> times.</summary>
    public static List<T> Take<T>(ISourceReader<T> reader, int count)
    {
        var records = new List<T>();
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(ReadStatus.Record, reader.PollNext(out T record));
            records.Add(record);
        }

        return records;
    }
}
