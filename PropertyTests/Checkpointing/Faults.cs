namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>
/// The fault schedule of the current run, read by <see cref="FaultyMap"/> and <see cref="StoreSink"/>. Static because
/// user functions are copied per subtask and the jobs' lambdas must not capture. Runs are sequential.
/// </summary>
/// <remarks>
/// Each fault fires once, and at most one fault fires per attempt of the job (an attempt is identified by
/// <see cref="JobClient.Restarts"/>, which grows only after every task of the failed attempt ended): so a job
/// survives with exactly one restart per fired fault, and <c>Restarts ≥ Fired</c> is a sharp check. A fault
/// blocked because its attempt already failed fires in a later attempt once its condition holds again.
/// </remarks>
public static class Faults
{
    private static readonly object Gate = new();
    private static Fault[] _schedule = [];
    private static bool[] _fired = [];
    private static int _lastFiringAttempt = -1;
    private static long _records;
    private static long _commits;
    private static int _restores;
    private static Func<int>? _attempt;

    /// <summary>A record in this many makes the function sleep 1 ms, so that checkpoints (every 10 ms) happen mid-run.</summary>
    public static int SlowEvery { get; set; } = 100;

    /// <summary>How many faults fired since <see cref="Install"/>.</summary>
    public static int Fired
    {
        get
        {
            lock (Gate)
            {
                return _fired.Count(f => f);
            }
        }
    }

    /// <summary>How many subtask attempts of <see cref="FaultyMap"/> started from a checkpoint since <see cref="Install"/>.</summary>
    public static int Restores => Volatile.Read(ref _restores);

    /// <summary>The faults that fired, for messages.</summary>
    public static string FiredDescription
    {
        get
        {
            lock (Gate)
            {
                return string.Join(", ", _schedule.Where((_, i) => _fired[i]));
            }
        }
    }

    /// <summary>Starts a run with <paramref name="schedule"/> (empty for a failure-free run).</summary>
    public static void Install(IReadOnlyList<Fault> schedule)
    {
        lock (Gate)
        {
            _schedule = [.. schedule];
            _fired = new bool[_schedule.Length];
            _lastFiringAttempt = -1;
            _records = 0;
            _commits = 0;
            _restores = 0;
            _attempt = null;
        }
    }

    /// <summary>Tells which attempt runs (the job's restart count); until set, attempt 0.</summary>
    public static void TrackAttempts(Func<int> attempt)
    {
        lock (Gate)
        {
            _attempt = attempt;
        }
    }

    public static void OnRecord()
    {
        long n = Interlocked.Increment(ref _records);
        if (n % SlowEvery == 0)
        {
            Thread.Sleep(1); // lets checkpoints happen during the run
        }
        Fire(FaultKind.Record, f => f.At <= n, $"record {n}");
    }

    public static void OnSnapshot(long checkpointId) => Fire(FaultKind.Snapshot, f => f.At <= checkpointId, $"snapshot of checkpoint {checkpointId}");

    public static void OnInitialize(bool restored)
    {
        if (restored)
        {
            Interlocked.Increment(ref _restores);
            Fire(FaultKind.Restore, _ => true, "restore");
        }
    }

    /// <summary>Runs <paramref name="commit"/>, throwing before or after it when a commit fault is due.</summary>
    public static void OnCommit(Action commit)
    {
        long n = Interlocked.Increment(ref _commits);
        Fire(FaultKind.Commit, f => f.At <= n && !f.AfterCommit, $"commit {n} (before)");
        commit();
        Fire(FaultKind.Commit, f => f.At <= n && f.AfterCommit, $"commit {n} (after)");
    }

    private static void Fire(FaultKind kind, Func<Fault, bool> due, string where)
    {
        lock (Gate)
        {
            int attempt = _attempt?.Invoke() ?? 0;
            if (attempt <= _lastFiringAttempt)
            {
                return;
            }
            for (int i = 0; i < _schedule.Length; i++)
            {
                if (!_fired[i] && _schedule[i].Kind == kind && due(_schedule[i]))
                {
                    _fired[i] = true;
                    _lastFiringAttempt = attempt;
                    throw new InjectedFaultException($"Injected fault {_schedule[i]} at {where} in attempt {attempt}.");
                }
            }
        }
    }
}

/// <summary>Thrown by an injected fault.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);
