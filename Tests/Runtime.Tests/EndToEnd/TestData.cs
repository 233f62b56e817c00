namespace DataflowCompiler.Runtime.Tests.EndToEnd;

/// <summary>Seeded inputs, so a failing case replays exactly.</summary>
internal static class TestData
{
    private static readonly string[] Words = ["stream", "state", "key", "window", "barrier", "watermark", "task", "slot", "chain", "segment", "credit", "gate"];

    public static List<string> Lines(int seed, int count)
    {
        var random = new Random(seed);
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int n = random.Next(0, 9);
            lines.Add(string.Join(random.Next(3) == 0 ? "  " : " ", Enumerable.Range(0, n).Select(_ => Words[random.Next(Words.Length)])));
        }
        return lines;
    }

    public static List<(string Key, long Value)> KeyedValues(int seed, int count, int keys)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => ($"k{random.Next(keys)}", (long)random.Next(-1000, 1000))).ToList();
    }
}
