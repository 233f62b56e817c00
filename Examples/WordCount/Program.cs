using DataflowCompiler;

// WordCount: the lines of a text file in, a running count per word out.
//   dotnet run --project Examples/WordCount [-- <input file> [<parallelism>] [--output <path>]]
// Without arguments it counts the bundled hamlet.txt on the embedded local cluster.

string input = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : Path.Combine(AppContext.BaseDirectory, "hamlet.txt");
int parallelism = args.Length > 1 && int.TryParse(args[1], out var p) ? p : 2;
int outputFlag = Array.IndexOf(args, "--output");
string? output = outputFlag >= 0 && outputFlag + 1 < args.Length ? args[outputFlag + 1] : null;

var env = StreamEnvironment.CreateLocal(parallelism);
var counts = env.ReadTextFile(input)
    .FlatMap<(string Word, long Count)>((line, collector) =>
    {
        foreach (var token in line.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            // Keep "wish'd" and "'tis" whole; drop quotes around words.
            var word = token.Trim('\'');
            if (word.Length > 0)
            {
                collector.Collect((word.ToLowerInvariant(), 1L));
            }
        }
    })
    .Name("Tokenize")
    .KeyBy(pair => pair.Word)
    .Sum(pair => pair.Count)
    .Name("Count");

if (output is not null)
{
    counts.Map(pair => $"{pair.Word},{pair.Count}").WriteAsText(output);
}
var results = counts.CollectToList();
var result = env.Execute("WordCount");

// The last running count of each word is its total.
var totals = results.Results.GroupBy(r => r.Word).Select(g => (Word: g.Key, Count: g.Max(r => r.Count)))
    .OrderByDescending(t => t.Count).ThenBy(t => t.Word, StringComparer.Ordinal).ToList();
Console.WriteLine($"Counted {totals.Sum(t => t.Count)} words ({totals.Count} distinct) in {input} at parallelism {parallelism} in {result.NetRuntime.TotalMilliseconds:F0} ms.");
foreach (var (word, count) in totals.Take(15))
{
    Console.WriteLine($"{count,6}  {word}");
}
if (output is not null)
{
    Console.WriteLine($"Running counts written to {output}.");
}

partial class Program
{
    private static readonly char[] Separators = [' ', '\t', ',', '.', ';', ':', '!', '?', '—', '-', '"', '(', ')'];
}
