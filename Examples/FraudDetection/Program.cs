using DataflowCompiler;
using DataflowCompiler.Functions;
using DataflowCompiler.State;

// Fraud detection with keyed state (after Flink's walkthrough): a small transaction (< 1.00)
// followed by a large one (> 500.00) on the same account raises an alert. The flag lives in
// ValueState, scoped to the account, so parallel subtasks never share it.
//   dotnet run --project Examples/FraudDetection [-- <transactions> [<parallelism>]]

long count = args.Length > 0 && long.TryParse(args[0], out var n) ? n : 200_000;
int parallelism = args.Length > 1 && int.TryParse(args[1], out var p) ? p : 2;

var env = StreamEnvironment.CreateLocal(new StreamConfiguration
{
    Parallelism = parallelism,
    // One line per chain: fused (compiled by the generator into one loop) or interpreted, and why.
    FusionLog = line => Console.WriteLine($"  [fusion] {line}"),
});
FraudJob.Transactions = count;
FraudJob.Define(env);
var alerts = FraudJob.Alerts;
var result = env.Execute("FraudDetection");

Console.WriteLine($"Checked {count} transactions at parallelism {parallelism} in {result.NetRuntime.TotalMilliseconds:F0} ms: " +
    $"{alerts.Results.Count} alerts, {result.GetAccumulatorResult("small-transactions")} small transactions flagged.");
foreach (var alert in alerts.Results.OrderBy(a => a.TransactionId).Take(10))
{
    Console.WriteLine($"  alert: account {alert.AccountId}, transaction {alert.TransactionId}, amount {alert.Amount:F2}");
}

/// <summary>The pipeline, in a job class the generator fuses at compile time (docs/fusion.md).</summary>
[DataflowJob]
static partial class FraudJob
{
    public static long Transactions = 200_000;

    public static readonly DataflowCompiler.Sinks.CollectSink<(long TransactionId, int AccountId, double Amount)> Alerts = new();

    public static void Define(StreamEnvironment env) =>
        env.FromGenerator(Generator.Generate, Transactions)
           // One source subtask keeps each account's transactions in order, so every run raises the same alerts.
           .SetParallelism(1)
           .KeyBy(static t => t.AccountId)
           .Process(new FraudDetector())
           .SinkTo(Alerts);
}

/// <summary>Deterministic transactions: account by index, amounts with occasional tiny and huge ones.</summary>
static class Generator
{
    public static (long TransactionId, int AccountId, double Amount) Generate(long index)
    {
        // SplitMix64 of the index: every run (and every parallelism) sees the same data.
        ulong h = (ulong)index + 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        int account = (int)(h % 1000);
        double amount = ((h >> 40) % 100) switch
        {
            0 => 0.01 + (h % 99) / 100.0,           // small: under 1.00
            1 => 500.01 + (h % 100_000) / 100.0,    // large: above 500.00
            _ => 1 + (h % 49_900) / 100.0,
        };
        return (index, account, amount);
    }
}

sealed class FraudDetector : KeyedProcessFunction<int, (long TransactionId, int AccountId, double Amount), (long TransactionId, int AccountId, double Amount)>
{
    private const double Small = 1.00;
    private const double Large = 500.00;
    private IValueState<bool> _lastWasSmall = null!;
    private Counter _flagged = null!;

    public override void Open(RuntimeContext context)
    {
        _lastWasSmall = context.GetState(new ValueStateDescriptor<bool>("last-was-small"));
        _flagged = context.GetCounter("small-transactions");
    }

    public override void ProcessElement((long TransactionId, int AccountId, double Amount) transaction, Context context,
        ICollector<(long TransactionId, int AccountId, double Amount)> output)
    {
        if (_lastWasSmall.Value() && transaction.Amount > Large)
        {
            output.Collect(transaction);
        }
        if (transaction.Amount < Small)
        {
            _lastWasSmall.Update(true);
            _flagged.Increment();
        }
        else
        {
            _lastWasSmall.Clear();
        }
    }
}
