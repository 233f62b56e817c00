namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>What each catalogue job must commit, computed with LINQ over the scenario's inputs (per key in order).</summary>
public static class ExactlyOnceModel
{
    public static List<Result> Expected(Scenario scenario)
    {
        var (records, second, m, bucket, window) = scenario.Inputs();
        return scenario.Job switch
        {
            EoJob.MapFilterReduce => records.Where(e => e.Value % m != 0).GroupBy(e => e.Key)
                .SelectMany(g =>
                {
                    long sum = 0;
                    return g.Select(e => new Result(e.Key, 0, e.Seq, sum += e.Value, e.Time)).ToList();
                }).ToList(),
            EoJob.KeyBySumMap => records.GroupBy(e => e.Key)
                .SelectMany(g =>
                {
                    long sum = 0;
                    var first = g.First();
                    return g.Select(e => new Result(e.Key, 0, first.Seq, (sum += e.Value) * 3, first.Time)).ToList();
                }).ToList(),
            EoJob.KeyedTimers => records.GroupBy(e => e.Key)
                .SelectMany(g => g.Select((e, i) => new Result(e.Key, 0, e.Seq, i + 1, e.Time))
                    .Concat(g.Select(e => (e.Time / bucket + 1) * bucket).Distinct().Order().Select((t, i) => new Result(g.Key, 1, t, i + 1, 0))))
                .ToList(),
            EoJob.UnionWindow => records.Concat(second).GroupBy(e => (e.Key, Start: e.Time / window * window))
                .OrderBy(g => g.Key.Start)
                .Select(g => new Result(g.Key.Key, 0, g.Key.Start, g.Count(), g.Sum(e => e.Value))).ToList(),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
    }
}
