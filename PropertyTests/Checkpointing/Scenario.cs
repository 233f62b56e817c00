namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>The catalogue's jobs.</summary>
public enum EoJob
{
    MapFilterReduce,
    KeyBySumMap,
    KeyedTimers,
    UnionWindow,
}

/// <summary>
/// One exactly-once case: which job, how it runs, the fault schedule, and the seed every input and constant derives
/// from (<see cref="Inputs"/>). <see cref="ToString"/> prints it as C# to pass to <c>ExactlyOnceProperties.Replay</c>.
/// </summary>
public sealed record Scenario(EoJob Job, int Parallelism, bool Fused, bool AtLeastOnce, bool FileSink, int Keys, int Length, int Seed, IReadOnlyList<Fault> Faults,
    bool Unaligned = false)
{
    /// <summary>The inputs and constants of this scenario, derived from <see cref="Seed"/>.</summary>
    public (Event[] Records, Event[] Second, long M, long Bucket, long Window) Inputs()
    {
        var random = new Random(Seed);
        long m = random.Next(2, 6), bucket = random.Next(3, 30), window = random.Next(5, 60);
        return (Generate(random, Length), Generate(random, Job == EoJob.UnionWindow ? Length / 2 : 0), m, bucket, window);

        Event[] Generate(Random random, int length)
        {
            var seq = new int[Keys];
            long time = random.Next(0, 100);
            var records = new Event[length];
            for (int i = 0; i < length; i++)
            {
                int key = random.Next(Keys);
                time += random.Next(0, 3);
                records[i] = new Event(key, seq[key]++, random.Next(-1000, 1000), time);
            }
            return records;
        }
    }

    /// <summary>The same case without faults: the failure-free run the faulty one is compared with.</summary>
    public Scenario WithoutFaults() => this with { Faults = [] };

    public override string ToString() =>
        $"new Scenario(EoJob.{Job}, Parallelism: {Parallelism}, Fused: {(Fused ? "true" : "false")}, AtLeastOnce: {(AtLeastOnce ? "true" : "false")}, " +
        $"FileSink: {(FileSink ? "true" : "false")}, Keys: {Keys}, Length: {Length}, Seed: {Seed}, Faults: [{string.Join(", ", Faults)}]" +
        (Unaligned ? ", Unaligned: true)" : ")");
}
