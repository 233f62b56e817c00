using System.Globalization;
using DataflowCompiler;
using DataflowCompiler.Functions;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

// ClickSessions: event-time windows over clicks that arrive out of order.
//   dotnet run --project Examples/ClickSessions [-- <clicks.csv> [<parallelism>]]
// Reads timestamp,user,action lines (ISO-8601 UTC), counts each user's clicks per 1-minute tumbling window,
// finds each user's sessions (a gap of 5 minutes ends one) with their click counts and durations, and sends
// events that arrive after their windows were closed to a side output. Without arguments it reads the bundled
// clicks.csv: up to 20 s out of order, and about 1 event in 200 some 10 minutes late.

string input = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "clicks.csv");
int parallelism = args.Length > 1 && int.TryParse(args[1], out var p) ? p : 2;

// Line numbers travel with the lines, so a malformed line can be named; line 1 is the header.
var lines = File.ReadLines(input).Select((text, index) => (Line: index + 1L, Text: text)).Skip(1).ToList();

var env = StreamEnvironment.CreateLocal(parallelism);
var parsed = env.FromCollection(lines).Name("clicks.csv")
    .Process(new ParseClick()).Name("Parse")
    // One parsing subtask keeps the file's order, so every run classifies the same events as late.
    .SetParallelism(1);
var badLines = parsed.GetSideOutput(ParseClick.BadLines).CollectToList();

var clicks = parsed
    .AssignTimestampsAndWatermarks(WatermarkStrategy
        .ForGenerator<(long Time, string User, string Action)>(_ => new BoundedOutOfOrdernessPerEvent(TimeSpan.FromSeconds(30)))
        .WithTimestampAssigner(c => c.Time))
    .SetParallelism(1);

var perMinute = clicks
    .KeyBy(c => c.User)
    .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
    .SideOutputLateData(Late.Minutes)
    .Aggregate(new CountClicks(), new UserMinute())
    .Name("ClicksPerMinute");
var sessions = clicks
    .KeyBy(c => c.User)
    .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMinutes(5)))
    .SideOutputLateData(Late.Sessions)
    .Process(new UserSession())
    .Name("Sessions");

var minuteResults = perMinute.CollectToList();
var sessionResults = sessions.CollectToList();
var lateForMinutes = perMinute.GetSideOutput(Late.Minutes).CollectToList();
var lateForSessions = sessions.GetSideOutput(Late.Sessions).CollectToList();
var result = env.Execute("ClickSessions");

Console.WriteLine($"Read {lines.Count} clicks from {input} at parallelism {parallelism} in {result.NetRuntime.TotalMilliseconds:F0} ms.");
Console.WriteLine($"  per-user 1-minute windows: {minuteResults.Results.Count} (busiest below)");
foreach (var w in minuteResults.Results.OrderByDescending(w => w.Clicks).ThenBy(w => w.Start).ThenBy(w => w.User, StringComparer.Ordinal).Take(5))
{
    Console.WriteLine($"    {Format(w.Start)}  {w.User,-10} {w.Clicks,3} clicks");
}
Console.WriteLine($"  sessions (gap 5 min): {sessionResults.Results.Count} (longest below)");
foreach (var s in sessionResults.Results.OrderByDescending(s => s.Duration).ThenBy(s => s.User, StringComparer.Ordinal).Take(5))
{
    Console.WriteLine($"    {s.User,-10} {Format(s.Start)} .. {Format(s.LastClick)}  {s.Clicks,3} clicks, {TimeSpan.FromMilliseconds(s.Duration).ToString("c", CultureInfo.InvariantCulture)}");
}
Console.WriteLine($"  late events: {lateForMinutes.Results.Count} after their minute window closed, {lateForSessions.Results.Count} after their session closed");
foreach (var c in lateForMinutes.Results.OrderBy(c => c.Time).Take(5))
{
    Console.WriteLine($"    {Format(c.Time)}  {c.User,-10} {c.Action}");
}
if (badLines.Results.Count > 0)
{
    Console.WriteLine($"  malformed lines skipped: {badLines.Results.Count}");
    foreach (var bad in badLines.Results.OrderBy(b => b.Line).Take(5))
    {
        Console.WriteLine($"    line {bad.Line}: {bad.Error}");
    }
}

static string Format(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

/// <summary>The late-data side outputs of the two windowed streams.</summary>
static class Late
{
    public static readonly OutputTag<(long Time, string User, string Action)> Minutes = new("late-for-minutes");
    public static readonly OutputTag<(long Time, string User, string Action)> Sessions = new("late-for-sessions");
}

/// <summary>
/// Parses "timestamp,user,action". A malformed line goes to a side output with its line number instead of failing
/// the job: one bad line in a click log should not stop the other clicks from being counted, and the summary still
/// names every line that was skipped.
/// </summary>
sealed class ParseClick : ProcessFunction<(long Line, string Text), (long Time, string User, string Action)>
{
    public static readonly OutputTag<(long Line, string Error)> BadLines = new("bad-lines");

    public override void ProcessElement((long Line, string Text) line, Context context, ICollector<(long Time, string User, string Action)> output)
    {
        var fields = line.Text.Split(',');
        if (fields.Length != 3)
        {
            context.Output(BadLines, (line.Line, $"expected 3 fields (timestamp,user,action), found {fields.Length}: \"{line.Text}\""));
            return;
        }
        if (!DateTimeOffset.TryParse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            context.Output(BadLines, (line.Line, $"\"{fields[0]}\" is not an ISO-8601 timestamp"));
            return;
        }
        if (fields[1].Length == 0)
        {
            context.Output(BadLines, (line.Line, "the user is empty"));
            return;
        }
        output.Collect((time.ToUnixTimeMilliseconds(), fields[1], fields[2]));
    }
}

/// <summary>
/// The bounded-out-of-orderness watermark (largest timestamp − bound − 1, what ForBoundedOutOfOrderness emits),
/// emitted after every event instead of every 200 ms of processing time. A file of a few hundred lines is read in
/// far less than 200 ms, so the periodic watermark would never fire before the end of input and no event would be
/// late; per event, the job sees event time advance exactly as the data says, on every run.
/// </summary>
sealed class BoundedOutOfOrdernessPerEvent(TimeSpan bound) : IWatermarkGenerator<(long Time, string User, string Action)>
{
    private readonly long _bound = (long)bound.TotalMilliseconds;
    private long _max = long.MinValue;

    public void OnEvent((long Time, string User, string Action) record, long eventTimestamp, IWatermarkOutput output)
    {
        _max = Math.Max(_max, eventTimestamp);
        output.EmitWatermark(_max - _bound - 1);
    }

    public void OnPeriodicEmit(IWatermarkOutput output) { }
}

/// <summary>Counts clicks incrementally (one long per user and window).</summary>
sealed class CountClicks : IAggregateFunction<(long Time, string User, string Action), long, long>
{
    public long CreateAccumulator() => 0;

    public long Add((long Time, string User, string Action) value, long accumulator) => accumulator + 1;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}

/// <summary>Adds the user and the window start to a minute's count.</summary>
sealed class UserMinute : ProcessWindowFunction<long, (string User, long Start, long Clicks), string, TimeWindow>
{
    public override void Process(string key, Context context, IEnumerable<long> elements, ICollector<(string User, long Start, long Clicks)> output)
    {
        foreach (var count in elements)
        {
            output.Collect((key, context.Window.Start, count));
        }
    }
}

/// <summary>A session: first and last click, click count and duration (last − first).</summary>
sealed class UserSession : ProcessWindowFunction<(long Time, string User, string Action), (string User, long Start, long LastClick, long Clicks, long Duration), string, TimeWindow>
{
    public override void Process(string key, Context context, IEnumerable<(long Time, string User, string Action)> elements,
        ICollector<(string User, long Start, long LastClick, long Clicks, long Duration)> output)
    {
        long first = long.MaxValue;
        long last = long.MinValue;
        long count = 0;
        foreach (var click in elements)
        {
            first = Math.Min(first, click.Time);
            last = Math.Max(last, click.Time);
            count++;
        }
        output.Collect((key, first, last, count, last - first));
    }
}
