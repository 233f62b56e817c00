using System.Globalization;
using DataflowCompiler.Recovery;

namespace DataflowCompiler;

/// <summary>
/// What the job master does when a task fails: restart the job from its latest completed checkpoint after a delay, or
/// fail it for good. The factories take Flink's options (<c>restart-strategy.*</c>) with Flink's defaults.
/// </summary>
/// <remarks>
/// When a job sets no strategy, Flink's rule applies: <see cref="NoRestart"/> without checkpointing,
/// <see cref="ExponentialDelay"/> with its defaults when checkpointing is enabled. A strategy is an immutable
/// description; every job run gets its own counters. Invalid arguments throw when the strategy is created, naming the
/// option.
/// </remarks>
public abstract class RestartStrategy
{
    private protected RestartStrategy()
    {
    }

    /// <summary>Flink's name of the strategy type (<c>restart-strategy.type</c>): none, fixed-delay, exponential-delay or failure-rate.</summary>
    public abstract string Type { get; }

    /// <summary>Never restart: the first failure fails the job (<c>restart-strategy.type: none</c>).</summary>
    public static RestartStrategy NoRestart() => NoRestartStrategy.Instance;

    /// <summary>Restart after a fixed delay, at most <paramref name="attempts"/> times (<c>restart-strategy.type: fixed-delay</c>).</summary>
    /// <param name="attempts"><c>restart-strategy.fixed-delay.attempts</c>: restarts before the job fails; default 1.</param>
    /// <param name="delay"><c>restart-strategy.fixed-delay.delay</c>: wait before each restart; default 1 s.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative.</exception>
    public static RestartStrategy FixedDelay(int attempts = 1, TimeSpan? delay = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempts);
        var d = delay ?? TimeSpan.FromSeconds(1);
        RequireNonNegative(d, nameof(delay));
        return new FixedDelayStrategy(attempts, d);
    }

    /// <summary>
    /// Restart with a delay that grows exponentially after every failure and starts over once the job ran smoothly for
    /// a while (<c>restart-strategy.type: exponential-delay</c>; the default when checkpointing is enabled).
    /// </summary>
    /// <param name="initialBackoff"><c>…initial-backoff</c>: the first delay; default 1 s.</param>
    /// <param name="maxBackoff"><c>…max-backoff</c>: the largest delay; default 1 min.</param>
    /// <param name="backoffMultiplier"><c>…backoff-multiplier</c>: factor applied after every failure, greater than 1; default 1.5.</param>
    /// <param name="resetBackoffThreshold"><c>…reset-backoff-threshold</c>: how long the job must run after a restart without failing
    /// for the delay and the attempt count to start over; default 1 h.</param>
    /// <param name="jitterFactor"><c>…jitter-factor</c>: the delay varies randomly by up to this fraction either way, 0..1; default 0.1.</param>
    /// <param name="attemptsBeforeResetBackoff"><c>…attempts-before-reset-backoff</c>: restarts before the job fails unless the
    /// backoff is reset in between; default <see cref="int.MaxValue"/> (unlimited).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range; the message names it.</exception>
    public static RestartStrategy ExponentialDelay(
        TimeSpan? initialBackoff = null,
        TimeSpan? maxBackoff = null,
        double backoffMultiplier = 1.5,
        TimeSpan? resetBackoffThreshold = null,
        double jitterFactor = 0.1,
        int attemptsBeforeResetBackoff = int.MaxValue)
    {
        var initial = initialBackoff ?? TimeSpan.FromSeconds(1);
        var max = maxBackoff ?? TimeSpan.FromMinutes(1);
        var reset = resetBackoffThreshold ?? TimeSpan.FromHours(1);
        RequirePositive(initial, nameof(initialBackoff));
        RequirePositive(max, nameof(maxBackoff));
        if (max < initial)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBackoff), max, $"maxBackoff must not be less than initialBackoff ({initial}).");
        }
        if (!(backoffMultiplier > 1) || double.IsInfinity(backoffMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(backoffMultiplier), backoffMultiplier, "backoffMultiplier must be a finite number greater than 1.");
        }
        RequirePositive(reset, nameof(resetBackoffThreshold));
        if (!(jitterFactor >= 0 && jitterFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(jitterFactor), jitterFactor, "jitterFactor must be between 0 and 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsBeforeResetBackoff, 1);
        return new ExponentialDelayStrategy(initial, max, backoffMultiplier, reset, jitterFactor, attemptsBeforeResetBackoff);
    }

    /// <summary>
    /// Restart after a fixed delay unless more than <paramref name="maxFailuresPerInterval"/> failures happened within
    /// the last <paramref name="failureRateInterval"/> (<c>restart-strategy.type: failure-rate</c>).
    /// </summary>
    /// <param name="maxFailuresPerInterval"><c>…max-failures-per-interval</c>: restarts allowed within one interval; default 1.</param>
    /// <param name="failureRateInterval"><c>…failure-rate-interval</c>: the sliding window failures are counted in; default 1 min.</param>
    /// <param name="delay"><c>…delay</c>: wait before each restart; default 1 s.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range; the message names it.</exception>
    public static RestartStrategy FailureRate(int maxFailuresPerInterval = 1, TimeSpan? failureRateInterval = null, TimeSpan? delay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailuresPerInterval, 1);
        var interval = failureRateInterval ?? TimeSpan.FromMinutes(1);
        var d = delay ?? TimeSpan.FromSeconds(1);
        RequirePositive(interval, nameof(failureRateInterval));
        RequireNonNegative(d, nameof(delay));
        return new FailureRateStrategy(maxFailuresPerInterval, interval, d);
    }

    /// <summary>The strategy a job uses: the configured one, else Flink's default for whether checkpointing is enabled.</summary>
    internal static RestartStrategy ForJob(RestartStrategy? configured, bool checkpointingEnabled) =>
        configured ?? (checkpointingEnabled ? ExponentialDelay() : NoRestart());

    /// <summary>Creates the counters of one job run.</summary>
    /// <param name="random">The source of jitter; tests pass a seeded one. Null uses <see cref="Random.Shared"/>.</param>
    internal abstract IRestartBackoff CreateBackoff(Random? random = null);

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }

    private static void RequireNonNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
        }
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    private sealed class NoRestartStrategy : RestartStrategy
    {
        public static readonly NoRestartStrategy Instance = new();

        public override string Type => "none";

        internal override IRestartBackoff CreateBackoff(Random? random = null) => new NoRestartBackoff();

        public override string ToString() => Type;
    }

    private sealed class FixedDelayStrategy(int attempts, TimeSpan delay) : RestartStrategy
    {
        public override string Type => "fixed-delay";

        internal override IRestartBackoff CreateBackoff(Random? random = null) => new FixedDelayRestartBackoff(attempts, delay);

        public override string ToString() => $"{Type}(attempts={attempts}, delay={Format(delay)})";
    }

    private sealed class ExponentialDelayStrategy(
        TimeSpan initialBackoff, TimeSpan maxBackoff, double backoffMultiplier, TimeSpan resetBackoffThreshold, double jitterFactor, int attemptsBeforeResetBackoff)
        : RestartStrategy
    {
        public override string Type => "exponential-delay";

        internal override IRestartBackoff CreateBackoff(Random? random = null) =>
            new ExponentialDelayRestartBackoff(
                initialBackoff, maxBackoff, backoffMultiplier, resetBackoffThreshold, jitterFactor, attemptsBeforeResetBackoff, random ?? Random.Shared);

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture,
                $"{Type}(initial-backoff={Format(initialBackoff)}, max-backoff={Format(maxBackoff)}, backoff-multiplier={backoffMultiplier}, " +
                $"reset-backoff-threshold={Format(resetBackoffThreshold)}, jitter-factor={jitterFactor}, attempts-before-reset-backoff={attemptsBeforeResetBackoff})");
    }

    private sealed class FailureRateStrategy(int maxFailuresPerInterval, TimeSpan failureRateInterval, TimeSpan delay) : RestartStrategy
    {
        public override string Type => "failure-rate";

        internal override IRestartBackoff CreateBackoff(Random? random = null) =>
            new FailureRateRestartBackoff(maxFailuresPerInterval, failureRateInterval, delay);

        public override string ToString() =>
            $"{Type}(max-failures-per-interval={maxFailuresPerInterval}, failure-rate-interval={Format(failureRateInterval)}, delay={Format(delay)})";
    }
}
